export { MediaTypeSniffer, sniffBytes } from './media-type-sniffer';
export { classifyZip, zipEntryNames, type ReadAt } from './zip-entries';
