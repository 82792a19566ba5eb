// The docker-build inference plugin as Nx loads it (nx.json "plugins": "@todo/nx-plugin").
//
// npm installs this folder as a copy (".npmrc": install-links=true) at
// node_modules/@todo/nx-plugin, and this file only loads the plugin's source in
// the workspace, so an edited plugin takes effect without a reinstall.
// The copy changes only when this file does (then: npm ci).
//
// Why a package and not "./tools/nx-plugin/index.cjs" in nx.json: for a plugin
// that resolves into the workspace, Nx's plugin worker first reads every
// project.json and package.json of the workspace (its source-first lookup of
// local plugins). With Nx's default plugin isolation that costs about 0.6 s
// on each nx command, several times the plugin's own work (bench/synth).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
// The workspace Nx runs in (nx.json's folder, or NX_WORKSPACE_ROOT_PATH), not
// this file's: a second checkout that shares this node_modules loads its own plugin.
const { workspaceRoot } = require('nx/src/utils/workspace-root');

const source = join(workspaceRoot, 'tools', 'nx-plugin', 'index.cjs');
if (!existsSync(source)) {
  throw new Error(
    `@todo/nx-plugin: ${source} not found. This package loads the docker-build plugin of the workspace that holds tools/nx-plugin; fix: run nx in that workspace, or remove "@todo/nx-plugin" from nx.json "plugins"`,
  );
}
module.exports = require(source);
