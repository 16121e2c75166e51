import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, loadCommands } from '../../src/cli/commandTable.js';

describe('the CLI command table', () => {
  it('files every command under the first word of its path, so a command line loads the module that holds it', async () => {
    for (const { word, load } of COMMAND_MODULES)
      for (const command of await load()) expect(command.path[0], command.path.join(' ')).toBe(word);
  });

  it('loads only the modules of a known first word, and every command for any other', async () => {
    const all = await loadCommands();
    expect((await loadCommands('scanner')).map((command) => command.path.join(' '))).toEqual(
      all.filter((command) => command.path[0] === 'scanner').map((command) => command.path.join(' ')),
    );
    expect(await loadCommands('no-such-command')).toEqual(all);
    expect(new Set(all.map((command) => command.path.join(' '))).size).toBe(all.length);
  });
});
