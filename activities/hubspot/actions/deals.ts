/** Deal actions: create a deal in a named pipeline and stage, read where it is, move it to another stage. */
import { z } from 'zod';
import { defineAction } from '../../shared/action';
import type { Association, HubSpotClient } from '../client';
import { PropertyList, PropertyValues, RecordId } from './common';
import { moveToStage, readStaged } from './stages';

export const createDeal = defineAction({
  name: 'hubspot.createDeal',
  description: 'Creates a deal in a pipeline and stage given by label, optionally associated with a company and contacts.',
  input: z.object({
    name: z.string().min(1),
    pipeline: z.string().min(1).describe('Pipeline label, e.g. "PartnerStack Deal Pipeline"'),
    stage: z.string().min(1).describe('Stage label, e.g. "Close won"'),
    amount: z.number().nonnegative().optional(),
    closeDate: z.iso.date().optional().describe('YYYY-MM-DD'),
    companyId: RecordId.optional(),
    contactIds: z.array(RecordId).default([]),
    properties: PropertyValues.default({}),
  }),
  mutates: true,
  async run(client: HubSpotClient, input, { signal, idempotencyKey }) {
    const action = 'hubspot.createDeal';
    const { pipeline, stage } = await client.resolveStage(action, 'deals', input.pipeline, input.stage, signal);
    const properties: Record<string, string> = {
      ...(await client.resolveProperties(action, 'deals', input.properties, signal)),
      dealname: input.name,
      pipeline: pipeline.id,
      dealstage: stage.id,
      ...(input.amount === undefined ? {} : { amount: String(input.amount) }),
      ...(input.closeDate === undefined ? {} : { closedate: input.closeDate }),
    };
    const associations: Association[] = [
      ...(input.companyId ? [{ toType: 'companies' as const, toId: input.companyId }] : []),
      ...input.contactIds.map((id) => ({ toType: 'contacts' as const, toId: id })),
    ];
    return client.upsertOnce(action, 'deals', properties, associations, idempotencyKey, signal);
  },
});

export const getDeal = defineAction({
  name: 'hubspot.getDeal',
  description: 'Reads a deal: its pipeline and stage labels and the named properties.',
  input: z.object({ dealId: RecordId, properties: PropertyList.default([]) }),
  mutates: false,
  run: (client: HubSpotClient, input, { signal }) => readStaged(client, 'hubspot.getDeal', 'deals', input.dealId, input.properties, signal),
});

export const moveDeal = defineAction({
  name: 'hubspot.moveDeal',
  description: 'Moves a deal to a stage of a pipeline given by label, e.g. "Closed won (Approved)"; no-op if already there.',
  input: z.object({ dealId: RecordId, pipeline: z.string().min(1), stage: z.string().min(1) }),
  mutates: true,
  run: (client: HubSpotClient, input, { signal }) =>
    moveToStage(client, 'hubspot.moveDeal', 'deals', input.dealId, input.pipeline, input.stage, {}, signal),
});
