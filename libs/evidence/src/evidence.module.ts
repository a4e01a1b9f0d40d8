import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CountermeasuresModule } from '@app/countermeasures';
import { EvidenceEntity, EvidenceReviewEntity, SignOffEntity } from './evidence.entities';

@Module({
  imports: [CountermeasuresModule, TypeOrmModule.forFeature([EvidenceEntity, EvidenceReviewEntity, SignOffEntity])],
  providers: [],
  exports: [CountermeasuresModule],
})
export class EvidenceModule {}
