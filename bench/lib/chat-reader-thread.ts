// A worker thread of the chat benchmark holding a share of the readers (see ChatReaderPool in
// chat-readers.ts): with one event loop per thread, decoding a message for 1,000 sockets is spread
// over the cores the way it is spread over people's devices, instead of queueing on one loop.
import { parentPort, workerData } from 'node:worker_threads';
import { ChatReaders } from './chat-swarm.ts';
import type { ReaderThreadAnswer, ReaderThreadData, ReaderThreadRequest } from './chat-readers.ts';

const port = parentPort!;
const data = workerData as ReaderThreadData;
const readers = await ChatReaders.connect(data.url, data.channel, data.options);
const answer = (message: ReaderThreadAnswer) => port.postMessage(message);
answer({ type: 'joined', joined: readers.joined, failures: readers.failures });

port.on('message', (request: ReaderThreadRequest) => {
  switch (request.type) {
    case 'count':
      answer({ type: 'count', received: readers.deliveries.delays.length });
      break;
    case 'collect':
      answer({
        type: 'collected',
        delays: readers.deliveries.delays,
        perMessage: [...readers.deliveries.perMessage],
        duplicates: readers.deliveries.duplicates,
        disconnects: readers.disconnects,
      });
      break;
    case 'close':
      readers.close();
      port.close();
      break;
  }
});
