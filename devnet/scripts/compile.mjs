#!/usr/bin/env node
// Compiles the devnet contracts with the pinned solc-js (standard-JSON interface) and writes
// their committed artifacts (ABI + creation bytecode + compiler version + settings + source hash)
// to crates/session-chain/artifacts/, inside the crate that generates its bindings from them (so
// the crate packages on its own).
//
//   node scripts/compile.mjs           write the artifacts
//   node scripts/compile.mjs --check   compile in memory; exit 1 naming every stale artifact
//
// Output is deterministic: the same sources and compiler give byte-identical files.
// Compiler warnings are treated as errors.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const devnet = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const solc = require('solc');

/** Where the artifacts live: in the crate whose `sol!` bindings read them. */
const ARTIFACTS = join(devnet, '..', 'crates', 'session-chain', 'artifacts');

/** The contracts with committed artifacts, each in `contracts/src/<name>.sol`. */
const CONTRACTS = ['SessionToken', 'ServiceNodeRegistry'];

/** Compiler settings that affect the bytecode; recorded in every artifact. Keep foundry.toml's
 * optimizer and evm_version in step so forge tests the same code. */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
};

function sourceKey(name) {
  return `contracts/src/${name}.sol`;
}

function compile() {
  const sources = {};
  for (const name of CONTRACTS) {
    sources[sourceKey(name)] = { content: readFileSync(join(devnet, sourceKey(name)), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...SETTINGS,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: noImports }));
  const problems = (output.errors ?? []).filter((e) => e.severity !== 'info');
  if (problems.length > 0) {
    for (const e of problems) console.error(e.formattedMessage ?? e.message);
    console.error(`compile.mjs: ${problems.length} compiler error(s)/warning(s); warnings count as errors`);
    process.exit(2);
  }

  const artifacts = new Map();
  for (const name of CONTRACTS) {
    const key = sourceKey(name);
    const contract = output.contracts?.[key]?.[name];
    if (!contract) throw new Error(`solc produced no output for ${key}:${name}`);
    const artifact = {
      contractName: name,
      compiler: solc.version(),
      settings: SETTINGS,
      sourceSha256: createHash('sha256').update(sources[key].content, 'utf8').digest('hex'),
      abi: contract.abi,
      bytecode: `0x${contract.evm.bytecode.object}`,
    };
    artifacts.set(join(ARTIFACTS, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
  }
  return artifacts;
}

function noImports(path) {
  return { error: `imports are not used by the devnet contracts (asked for ${path})` };
}

const check = process.argv.includes('--check');
const artifacts = compile();
const stale = [];
for (const [file, text] of artifacts) {
  const shown = relative(join(devnet, '..'), file);
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(shown);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.error(`wrote ${shown}`);
  }
}
if (check) {
  if (stale.length > 0) {
    console.error(
      `stale contract artifacts (they differ from what solc ${solc.version()} makes of the sources):\n` +
        stale.map((f) => `  ${f}\n`).join('') +
        'run `cargo xtask contracts build` and commit the result',
    );
    process.exit(1);
  }
  console.error(`contract artifacts are up to date (solc ${solc.version()})`);
}
