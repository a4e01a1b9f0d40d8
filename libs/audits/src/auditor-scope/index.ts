export * from './auditor-access-limit.entity';
export * from './auditor-scope.service';
