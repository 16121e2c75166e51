// Writes a package's debian/copyright (machine-readable format) to stdout: the header file given,
// then one paragraph per bundled npm module found under TREE/usr/lib/room-agent/node_modules, with
// the module's license text inlined (the build then deletes the modules' own license files, which
// Debian keeps in /usr/share/doc/<package>/copyright only).
//
//   node copyright.mjs HEADER TREE
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const [header, tree] = process.argv.slice(2);
if (header === undefined || tree === undefined) {
  process.stderr.write('usage: node copyright.mjs HEADER TREE\n');
  process.exit(2);
}

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown|mit|bsd))?$|^licen[cs]e[-_.]/i;

/** Every module directory (node_modules/NAME or node_modules/@SCOPE/NAME) below `dir`, nested too. */
function modules(dir) {
  const found = [];
  const modulesDir = join(dir, 'node_modules');
  if (!existsSync(modulesDir)) return found;
  for (const entry of readdirSync(modulesDir).sort()) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? readdirSync(join(modulesDir, entry)).map((name) => join(entry, name))
      : [entry];
    for (const name of names.sort()) {
      const moduleDir = join(modulesDir, name);
      if (!existsSync(join(moduleDir, 'package.json'))) continue;
      found.push(moduleDir, ...modules(moduleDir));
    }
  }
  return found;
}

/** A license text as a DEP-5 field continuation: each line indented, blank lines as " .". */
const indent = (text) =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/\n\s*\n(\s*\n)+/g, '\n\n')
    .trim()
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line.replace(/\t/g, '    ')}`))
    .join('\n');

/** DEP-5 spells SPDX's "(A OR B)" as "A or B", and has no spaces inside a name. */
const dep5License = (spdx) =>
  spdx
    .replace(/[()]/g, '')
    .split(/\s+(OR|AND)\s+/i)
    .map((part) => (/^(or|and)$/i.test(part) ? part.toLowerCase() : part.replace(/\s+/g, '-')))
    .join(' ');

/**
 * Debian ships the full texts of common licenses in /usr/share/common-licenses, and a copyright
 * file points there instead of repeating them (lintian rejects a repeated Apache-2.0 text).
 */
const COMMON_LICENSES = [{ spdx: /\bApache-2\.0\b/, text: /TERMS AND CONDITIONS FOR USE/, file: 'Apache-2.0' }];
const pointer = (file) => `On Debian systems the full text of this license is in /usr/share/common-licenses/${file}.`;
/** A module's license texts as the copyright file carries them. */
const licenseTexts = (licenseName, originals) => {
  const common = COMMON_LICENSES.find(({ spdx }) => spdx.test(licenseName));
  if (common === undefined) return originals;
  // The full text itself is dropped; a notice (copyright lines, a derived work) stays, then the pointer.
  return [...originals.filter((text) => !common.text.test(text)), pointer(common.file)];
};

const paragraphs = [readFileSync(header, 'utf8').trimEnd()];
for (const dir of modules(join(tree, 'usr/lib/room-agent'))) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenseName =
    typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? 'see-license-text');
  const licenseFiles = readdirSync(dir)
    .filter((name) => LICENSE_FILE.test(name))
    .sort();
  const originals = licenseFiles.map((name) => readFileSync(join(dir, name), 'utf8'));
  const texts = licenseTexts(licenseName, originals);
  const holders = [
    ...new Set(
      originals.flatMap((text) => text.split('\n').filter((line) => /^\s*copyright\s*(\(c\)|©|\d)/i.test(line))),
    ),
  ].map((line) => line.trim());
  const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
  const copyright = holders.length > 0 ? holders : [author ?? `the ${manifest.name} authors`];
  const text = texts.length > 0 ? texts.join('\n\n') : `${manifest.name} ${manifest.version} declares ${licenseName}.`;
  paragraphs.push(
    [
      `Files: ${relative(tree, dir)}/*`,
      `Comment: npm module ${manifest.name} ${manifest.version}`,
      `Copyright: ${copyright.join('\n ')}`,
      `License: ${dep5License(licenseName)}`,
      indent(text),
    ].join('\n'),
  );
}
process.stdout.write(`${paragraphs.join('\n\n')}\n`);
