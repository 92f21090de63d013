// Child process for the kill -9 test: appends events to the outbox, then dies without
// any chance to seal its segment.
import { Outbox } from '../../outbox.ts';
import { ev } from './events.ts';

const [stateDir, count] = process.argv.slice(2);
const outbox = new Outbox(stateDir);
for (let i = 0; i < Number(count); i++) outbox.append([ev({ input_tokens: 1 })]);
process.stdout.write('appended\n');
process.kill(process.pid, 'SIGKILL');
