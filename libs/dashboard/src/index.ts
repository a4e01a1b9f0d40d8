export * from './domain/dashboard.errors';
export * from './domain/dashboard-day';
export * from './dashboard.types';
export { dashboardStatement, type DashboardSource } from './dashboard.sql';
export * from './dashboard.service';
export * from './dashboard.module';
