import { Module } from '@nestjs/common';
import { CountermeasuresModule } from '@app/countermeasures';
import { IdentityModule } from '@app/identity';
import { DemoLoader } from './demo-loader';

@Module({ imports: [IdentityModule, CountermeasuresModule], providers: [DemoLoader], exports: [DemoLoader] })
export class DemoModule {}
