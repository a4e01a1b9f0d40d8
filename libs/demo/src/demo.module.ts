import { Module } from '@nestjs/common';
import { IdentityModule } from '@app/identity';
import { DemoLoader } from './demo-loader';

@Module({ imports: [IdentityModule], providers: [DemoLoader], exports: [DemoLoader] })
export class DemoModule {}
