// Child process for the killed-mid-send test: drains the outbox to a server that stores
// the batch but never answers; the test kills it with -9 while it waits.
import { Outbox } from '../../outbox.ts';
import { Flusher } from '../../flusher.ts';

const [stateDir, server, user, token] = process.argv.slice(2);
const flusher = new Flusher(new Outbox(stateDir), stateDir, { server, user: Number(user), token });
process.stdout.write('flushing\n');
await flusher.flush();
