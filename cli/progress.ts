import { createRequire } from 'node:module';
import type { SingleBar as Bar } from 'cli-progress';
import type { BuildEvent } from '../format/write/builder.js';
import { ibytes } from '../kapsul/humanize.js';

// require(), not import: Node would first scan this CommonJS package for its exports.
const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');

/**
 * Progress of a long write: a bar on a terminal (files, bytes, rate, ETA once the size is known),
 * newline-delimited JSON events with --json (terminal or not), nothing with -quiet.
 */
export class Progress {
  private files = 0;
  private bytes = 0;
  private errors = 0;
  private readonly started = Date.now();
  private bar: Bar | null = null;

  constructor(private readonly o: { quiet: boolean; json: boolean; jsonStream: NodeJS.WritableStream }) {
    if (!o.json && !o.quiet && process.stderr.isTTY) {
      this.bar = new SingleBar({
        stream: process.stderr,
        format: ' {bar} {files} files | {done} | {rate}/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      });
      this.bar.start(1, 0, { files: 0, done: '0 B', rate: '0 B' });
    }
  }

  /** The expected total, when a pre-scan knows it; until then the ETA is not meaningful. */
  setTotal(bytes: number): void {
    this.bar?.setTotal(Math.max(bytes, 1));
  }

  event(e: BuildEvent): void {
    if (e.type === 'file') {
      this.files++;
      this.bytes += e.size;
    } else if (e.type === 'error') this.errors++;
    if (this.o.json) this.o.jsonStream.write(JSON.stringify({ event: e.type, ...e, type: undefined }) + '\n');
    if (this.bar) {
      const secs = Math.max((Date.now() - this.started) / 1000, 0.001);
      this.bar.update(this.bytes, { files: this.files, done: ibytes(this.bytes), rate: ibytes(Math.round(this.bytes / secs)) });
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  done(summary: Record<string, unknown>): void {
    this.stop();
    const secs = (Date.now() - this.started) / 1000;
    if (this.o.json) {
      this.o.jsonStream.write(
        JSON.stringify({ event: 'summary', files: this.files, bytes: this.bytes, errors: this.errors, seconds: secs, ...summary }, (_k, v) =>
          typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
        ) + '\n',
      );
    } else if (!this.o.quiet) {
      process.stderr.write(`${String(summary.archive)}: ${this.files} files, ${ibytes(this.bytes)} in ${secs.toFixed(1)}s\n`);
    }
  }
}
