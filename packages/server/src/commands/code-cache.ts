import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";
import { fnv1a } from "../sources/jsonl/cache-keys.js";

/**
 * Node compiles the dispatcher's half a megabyte (and zod's 0.8 MB when a command validates) anew
 * on every run, and then each function the command calls: ~13 ms of a report that reads its scan
 * cache. V8 takes back the code a previous run compiled (vm.Script's cachedData), after checking
 * it against its version, flags and the source's length. Node 22's module.enableCompileCache does
 * this for every module; Node 20 has only this, and it works the same on both.
 *
 * One cache file per command, bundle (by path) and set of Node flags (the flags change the code V8
 * makes), written when there was none or V8 refused it, at exit, so that it holds the functions the
 * run compiled as it went: a report's scan and a daemon's routes are most of what each compiles.
 */

/** Cache files kept in the folder: the rest, least recently written first, go when one is written. */
const KEEP_FILES = 16;

/** CommonJS bundles of ours the dispatcher requires from beside itself (dist/zod.cjs). */
const SIBLING = /^\.\/[\w-]+\.cjs$/;

interface Loaded {
  script: Script;
  cacheFile: string;
  key: string;
  /** whether V8 took the file's code (when not: none, stale, foreign or refused, it is written at exit) */
  used: boolean;
}

/** The first line of a cache file: the bundle and Node it was made from; the compiled code follows. */
function keyOf(file: string): string {
  const s = statSync(file);
  return `${process.version} ${process.arch} ${s.size} ${s.mtimeMs} ${s.ino}\n`;
}

/**
 * The compiled code in `cacheFile` when it was made for `key`. Code is run as it is found, so only
 * a file of this user's that no one else may write is read (where the system has owners).
 */
function readCache(cacheFile: string, key: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    const fd = openSync(cacheFile, "r");
    try {
      const s = fstatSync(fd);
      if (process.getuid && (s.uid !== process.getuid() || (s.mode & 0o022) !== 0)) return undefined;
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const head = Buffer.byteLength(key);
  return bytes.length > head && bytes.toString("latin1", 0, head) === key ? bytes.subarray(head) : undefined;
}

/** Loads CommonJS bundles with V8's code cache in `dir`; `write()` saves what was compiled. */
export class CodeCache {
  readonly #dir: string;
  readonly #command: string;
  readonly #loaded = new Map<string, { exports: unknown; loaded: Loaded }>();

  /** `command`: the command word this run serves (its cache is its own) */
  constructor(dir: string, command: string) {
    this.#dir = dir;
    this.#command = /^[a-z-]{1,32}$/.test(command) ? command : "other";
  }

  /** The exports of the CommonJS file `file`, as require() would give them. */
  require(file: string): unknown {
    const known = this.#loaded.get(file);
    if (known) return known.exports;
    const key = keyOf(file);
    // two installs (a global one and a clone) each keep theirs; Node's flags change the code V8 makes
    const cacheFile = join(this.#dir, `${basename(file)}-${this.#command}-${fnv1a(`${file}\0${process.execArgv.join(" ")}`, 0x811c9dc5)}.bin`);
    const cachedData = readCache(cacheFile, key);
    // the wrapper Node puts around a CommonJS file, on the source's first line so lines keep their numbers
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${readFileSync(file, "utf8")}\n})`, {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
    });
    const loaded: Loaded = { script, cacheFile, key, used: cachedData !== undefined && !script.cachedDataRejected };
    const m = new Module(file);
    m.filename = file;
    const native = createRequire(file);
    const req = Object.assign((id: string) => (SIBLING.test(id) ? this.require(join(dirname(file), id)) : native(id)), native);
    this.#loaded.set(file, { exports: m.exports, loaded });
    (script.runInThisContext() as (...a: unknown[]) => void).call(m.exports, m.exports, req, m, file, dirname(file));
    m.loaded = true;
    this.#loaded.set(file, { exports: m.exports, loaded });
    return m.exports;
  }

  /** Saves the code of the bundles whose cache was missing or refused; never throws. */
  write(): void {
    let wrote = false;
    for (const { loaded } of this.#loaded.values()) {
      if (loaded.used) continue;
      wrote = true;
      const tmp = `${loaded.cacheFile}.${process.pid}.tmp`;
      try {
        mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
        writeFileSync(tmp, Buffer.concat([Buffer.from(loaded.key, "latin1"), loaded.script.createCachedData()]), { mode: 0o600 });
        // whole or not at all: another run may be reading it
        renameSync(tmp, loaded.cacheFile);
      } catch {
        // a cache that cannot be written costs the next run its compile, nothing more
        try {
          rmSync(tmp, { force: true });
        } catch {
          // nothing was made
        }
      }
    }
    if (wrote) this.#prune();
  }

  /** Bounds the folder: builds and installs come and go, each leaving its files. */
  #prune(): void {
    try {
      const files = readdirSync(this.#dir)
        .filter((n) => n.endsWith(".bin"))
        .map((n) => ({ path: join(this.#dir, n), mtime: statSync(join(this.#dir, n)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
      for (const f of files.slice(KEEP_FILES)) rmSync(f.path, { force: true });
    } catch {
      // another run pruned at the same time
    }
  }
}
