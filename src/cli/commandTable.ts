import type { CliCommand } from './command.js';
import { centerHeads, demoHead } from './commands/centerHeads.js';
import { centerPackageCommand } from './optionalCommands.js';

/**
 * The center's and the demo's commands ship in the room-agent-center package: `help` lists them from their heads,
 * and their code is imported only when one runs.
 */
const centerCommands: readonly CliCommand[] = (['center', 'send', 'recordings', 'keygen'] as const).map((name) =>
  centerPackageCommand(centerHeads[name], async () => (await import('./commands/center.js')).centerCommands[name]),
);

const demoCommand = centerPackageCommand(demoHead, async () => (await import('./commands/demo.js')).demoCommand);

interface CommandModule {
  /** The first word of the path of every command the module holds. */
  word: string;
  load: () => Promise<readonly CliCommand[]>;
}

/**
 * The commands' modules, in the order help lists them. A command line loads only the modules of
 * its first word: `room-agent status` or a configuration's problem lines answer without loading
 * the daemon, the center, the demo and the drivers, which cost most of a second of CPU to load.
 */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { word: 'run', load: async () => [(await import('./commands/run.js')).runCommand] },
  { word: 'provision', load: async () => [(await import('./commands/provision.js')).provisionCommand] },
  { word: 'demo', load: () => Promise.resolve([demoCommand]) },
  { word: 'status', load: async () => [(await import('./commands/status.js')).statusCommand] },
  { word: 'doctor', load: async () => [(await import('./commands/doctor.js')).doctorCommand] },
  { word: 'config', load: async () => (await import('./commands/config.js')).configCommands },
  { word: 'journal', load: async () => (await import('./commands/journal.js')).journalCommands },
  { word: 'activity', load: async () => (await import('./commands/activity.js')).activityCommands },
  { word: 'note', load: async () => [(await import('./commands/note.js')).noteCommand] },
  { word: 'members', load: async () => (await import('./commands/members.js')).memberCommands },
  { word: 'enroll', load: async () => [(await import('./commands/enroll.js')).enrollCommand] },
  { word: 'scanner', load: async () => (await import('./commands/scannerTemplates.js')).scannerTemplateCommands },
  { word: 'scanner', load: async () => (await import('./commands/scanner.js')).scannerCommands },
  { word: 'signin', load: async () => (await import('./commands/signin.js')).signInCommands },
  { word: 'files', load: async () => (await import('./commands/files.js')).fileCommands },
  { word: 'center', load: () => Promise.resolve(centerCommands) },
];

/** The commands a command line starting with `word` may name; all of them for help or an unknown word. */
export async function loadCommands(word?: string): Promise<CliCommand[]> {
  const claimed = COMMAND_MODULES.filter((module) => module.word === word);
  const modules = claimed.length > 0 ? claimed : COMMAND_MODULES;
  return (await Promise.all(modules.map(({ load }) => load()))).flat();
}
