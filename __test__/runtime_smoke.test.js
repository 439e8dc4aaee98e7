'use strict';

// __test__/runtime_smoke.cjs under this Node.js (CI also runs it under Bun and
// Deno, and this file under Node 22, 24 and 26).

const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('the library and the register work in a fresh process of this Node.js', () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const res = spawnSync(process.execPath, [path.join(__dirname, 'runtime_smoke.cjs')], { encoding: 'utf8', env });
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(res.stdout)).toEqual({
    runtime: 'node',
    version: process.versions.node,
    active: true,
    warnings: [],
  });
});
