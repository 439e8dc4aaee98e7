'use strict';

// Links that work wherever the package is read: on GitHub, on the registry page
// and in node_modules. Every relative link of a shipped Markdown file names a
// file that is in the tarball (and, with `#anchor`, one of its headings), and
// package.json names the repository, its home page and its issue tracker.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = require('../package.json');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The Markdown text outside fenced code blocks. */
function withoutFences(markdown) {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** The Markdown text outside fenced code blocks and inline code spans. */
function prose(markdown) {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** Link targets of a Markdown text: inline links and images, and reference definitions. */
function linkTargets(markdown) {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const defined = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
  return [...inline, ...defined];
}

/** The anchors GitHub gives the headings of a Markdown text (github-slugger's rule). */
function anchors(markdown) {
  const seen = new Map();
  const out = new Set();
  for (const m of withoutFences(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

let packed;
let markdownFiles;

beforeAll(() => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const json = execFileSync(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  packed = new Set(JSON.parse(json)[0].files.map((f) => f.path));
  markdownFiles = [...packed].filter((f) => f.endsWith('.md')).sort();
});

test('the README and the docs it links to are shipped', () => {
  expect(markdownFiles).toContain('README.md');
  expect(markdownFiles.filter((f) => f.startsWith('docs/')).length).toBeGreaterThanOrEqual(1);
});

test('every relative link of a shipped Markdown file names a packed file and an existing heading', () => {
  const broken = [];
  let checked = 0;
  for (const file of markdownFiles) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const target of linkTargets(text)) {
      // Absolute URLs (http:, mailto:, …) and protocol-relative ones are not ours to check.
      if (/^([a-z][a-z\d+.-]*:|\/\/)/i.test(target)) continue;
      checked++;
      const [ref, anchor] = decodeURI(target).split('#');
      const linked = ref === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), ref));
      if (!packed.has(linked)) {
        broken.push(`${file}: ${target} (${linked} is not in the tarball)`);
      } else if (anchor !== undefined && linked.endsWith('.md')) {
        const headings = anchors(fs.readFileSync(path.join(root, linked), 'utf8'));
        if (!headings.has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${linked})`);
      }
    }
  }
  expect(broken).toEqual([]);
  expect(checked).toBeGreaterThanOrEqual(10);
});

test('package.json names the GitHub repository, its home page and its issues', () => {
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const match = /^git\+https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\.git$/.exec(url ?? '');
  expect(match).not.toBeNull();
  const repo = `https://github.com/${match[1]}`;
  expect(pkg.repository.type).toBe('git');
  expect(pkg.homepage).toBe(`${repo}#readme`);
  expect(pkg.bugs?.url).toBe(`${repo}/issues`);
});
