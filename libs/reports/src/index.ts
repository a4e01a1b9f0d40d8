export * from './domain/status-report';
export * from './render/csv';
export * from './render/pdf-layout';
export * from './render/pdf';
export { drawOp, renderJapanesePdf, type PdfDocumentOptions } from './render/pdf-document';
export * from './status-report.service';
export * from './reports.module';
