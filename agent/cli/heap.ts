// The agent runs for days next to the user's work, so its memory matters more than its
// peak speed. Log scans parse many short-lived JSON lines; V8's default young generation
// (up to 16 MB per semi-space) lets that garbage pile up to ~100 MB of RSS on a 100 MB
// corpus, while keeping the young generation at its initial size keeps it near 70 MB and
// scans as fast. Once the heap exists only the growth factor still takes effect (the
// max-size flag is read at start-up). Only the CLI calls this: a program that imports
// wrapFetch keeps its own V8 settings.
import v8 from 'node:v8';

export function useSmallYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
