// The dependency rules `npm run depcheck` (and so scripts/test.sh) enforces: no cycles, drivers/
// independent of the agent, production code independent of tests and scripts, no reaching into a
// package's internals, and src/ in layers where every folder imports only from the layers below.
const { existsSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

/**
 * src/ from the bottom up. A folder may import its own files and any folder of a lower layer;
 * folders of one layer are independent of each other. A new folder must be added here.
 */
const LAYERS = [
  { name: 'foundation', folders: ['src/errors.ts', 'src/i18n.ts', 'src/log.ts'] },
  { name: 'helpers, the service runtime (event bus, supervisor)', folders: ['src/util', 'src/daemon'] },
  { name: 'database, control socket', folders: ['src/store', 'src/control'] },
  { name: 'clock readings and corrections', folders: ['src/clock'] },
  { name: 'configuration, journal', folders: ['src/config', 'src/journal'] },
  { name: 'plain features', folders: ['src/escrow', 'src/activities', 'src/feedback', 'src/cameras'] },
  { name: 'fingerprint module service', folders: ['src/scanner'] },
  { name: 'members', folders: ['src/members'] },
  { name: 'member features', folders: ['src/templates', 'src/signin'] },
  { name: 'enrollment', folders: ['src/enrollment'] },
  { name: 'county sync', folders: ['src/sync'] },
  { name: 'composition roots: the daemon, the reference county center', folders: ['src/app', 'src/center'] },
  { name: 'the demo: a room, a broker and a center on one machine', folders: ['src/demo'] },
  { name: 'command line', folders: ['src/cli'] },
];

/** The src/ folders that talk to hardware, and so the only ones that may import drivers/. */
const DEVICE_FOLDERS = [
  'src/scanner',
  'src/feedback',
  'src/signin',
  'src/members',
  'src/templates',
  'src/enrollment',
  'src/app',
  'src/cli',
];

/**
 * What ships in the room-agent-center package, not in the device's room-agent package
 * (scripts/build-deb.sh): the reference county center, the demo and their commands.
 */
const CENTER_PACKAGE = ['^src/center/', '^src/demo/', '^src/cli/commands/(center|demo)\\.ts$'];

/**
 * Deep imports we cannot avoid, each with its package pinned to an exact version in package.json:
 * the hang-up-aware serial binding reuses bindings-cpp's read loop (bindings-cpp #162), which the
 * package does not export.
 */
const ALLOWED_INTERNALS = ['^node_modules/@serialport/bindings-cpp/dist/unix-read\\.js$'];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const folderPath = (folder) => (folder.endsWith('.ts') ? `^${escapeRegExp(folder)}$` : `^${escapeRegExp(folder)}/`);

const layerRules = LAYERS.flatMap((layer, index) =>
  layer.folders.flatMap((folder) => {
    const notBelow = LAYERS.slice(index)
      .flatMap((above) => above.folders)
      .filter((other) => other !== folder);
    if (notBelow.length === 0) return [];
    return [
      {
        name: `src-layers-${folder.replace(/^src\//, '').replace(/\.ts$/, '')}`,
        severity: 'error',
        comment: `${folder} (layer "${layer.name}") may import only from lower layers: move the shared code down, or the importer up`,
        from: { path: folderPath(folder) },
        to: { path: notBelow.map(folderPath) },
      },
    ];
  }),
);

/**
 * The files a package's public entry points resolve to: its main file, its types, and what its
 * "exports" map names explicitly. Wildcard subpaths ("./*") are left out: they expose the
 * package's internals, which any release may move.
 */
function entryFiles(name) {
  const dir = join(__dirname, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) return [];
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const targets = [manifest.main ?? 'index.js', manifest.types, manifest.typings];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  const exported = manifest.exports;
  if (typeof exported === 'string' || Array.isArray(exported)) collect(exported);
  else if (exported && typeof exported === 'object')
    for (const [subpath, target] of Object.entries(exported)) if (!subpath.includes('*')) collect(target);
  // "main" may leave out the extension ("lib/index") or name a directory.
  const candidates = (target) => [target, `${target}.js`, join(target, 'index.js')];
  return targets
    .filter((target) => typeof target === 'string')
    .map((target) => candidates(join(dir, target)).find((file) => existsSync(file) && statSync(file).isFile()))
    .filter((file) => file !== undefined)
    .map((file) => relative(__dirname, file));
}

/** src/ and drivers/ import only what the package needs at run time (and its @types). */
const manifest = JSON.parse(readFileSync(join(__dirname, 'package.json'), 'utf8'));
const packageEntries = [
  ...new Set(
    Object.keys(manifest.dependencies).flatMap((name) => [
      ...entryFiles(name),
      ...entryFiles(`@types/${name.replace(/^@([^/]+)\//, '$1__')}`),
    ]),
  ),
].map((file) => `^${escapeRegExp(file)}$`);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle: split a module, or move the shared types to the lowest folder that needs them',
      from: {},
      to: { circular: true },
    },
    {
      name: 'drivers-not-to-src',
      severity: 'error',
      comment: 'drivers/ knows nothing of the agent: pass what a driver needs in through its constructor',
      from: { path: '^drivers/' },
      to: { path: '^src/' },
    },
    {
      name: 'device-not-to-center-package',
      severity: 'error',
      comment:
        "A room's device has no room-agent-center package: its code may not import the center, the demo or their commands (src/cli/main.ts loads the commands with import() and names the package when they are missing)",
      from: { path: '^(src|drivers)/', pathNot: CENTER_PACKAGE },
      to: { path: CENTER_PACKAGE, dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'center-package-loaded-by-the-cli',
      severity: 'error',
      comment:
        'Only src/cli/main.ts loads room-agent-center code, through centerPackageCommand (src/cli/optionalCommands.ts)',
      from: { path: '^(src|drivers)/', pathNot: [...CENTER_PACKAGE, '^src/cli/main\\.ts$'] },
      to: { path: CENTER_PACKAGE, dependencyTypes: ['dynamic-import'] },
    },
    {
      name: 'not-to-test-or-scripts',
      severity: 'error',
      comment: 'Production code (src/, drivers/) never imports tests or scripts: they are not shipped',
      from: { path: '^(src|drivers)/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'test-not-to-scripts',
      severity: 'error',
      comment: 'Tests never import scripts/: shared infrastructure lives in test/helpers (benchmarks may import it)',
      from: { path: '^test/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'drivers-only-from-device-folders',
      severity: 'error',
      comment: `Only the folders that talk to hardware import drivers/ (${DEVICE_FOLDERS.join(', ')})`,
      from: { path: '^src/', pathNot: DEVICE_FOLDERS.map(folderPath) },
      to: { path: '^drivers/' },
    },
    {
      name: 'no-package-internals',
      severity: 'error',
      comment:
        'Import a package by its name or an explicitly exported subpath, not a file inside it: its layout is not its API',
      from: { path: '^(src|drivers)/' },
      to: { path: '^node_modules/', pathNot: [...packageEntries, ...ALLOWED_INTERNALS] },
    },
    {
      name: 'src-folder-in-a-layer',
      severity: 'error',
      comment: 'Every src/ folder belongs to a layer: add it to LAYERS in .dependency-cruiser.cjs',
      from: { path: '^src/', pathNot: LAYERS.flatMap((layer) => layer.folders).map(folderPath) },
      to: {},
    },
    ...layerRules,
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve to a file',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Fixture trees for the checker's own tests break these rules on purpose.
    exclude: { path: '^test/depcheck/fixtures/' },
    // Type-only imports count: a cycle through types is still a cycle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
