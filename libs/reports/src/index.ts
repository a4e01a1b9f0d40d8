export * from './domain/status-report';
export * from './render/csv';
export * from './render/pdf-layout';
export * from './render/pdf';
export * from './status-report.service';
export * from './reports.module';
