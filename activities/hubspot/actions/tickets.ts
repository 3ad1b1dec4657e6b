/** Ticket actions: create a ticket in a named pipeline and stage, read where it is, move it between stages. */
import { z } from 'zod';
import { defineAction } from '../../shared/action';
import type { Association, HubSpotClient } from '../client';
import { PropertyList, PropertyValues, RecordId } from './common';
import { moveToStage, readStaged } from './stages';

export const createTicket = defineAction({
  name: 'hubspot.createTicket',
  description: 'Creates a ticket in a pipeline and stage given by label (e.g. "Number reservation"), linked to a company, deal and contacts.',
  input: z.object({
    subject: z.string().min(1),
    pipeline: z.string().min(1).describe('Pipeline label, e.g. "PartnerStack Deal Registration and Provisioning"'),
    stage: z.string().min(1).describe('Stage label, e.g. "Sales - KYC and pandadoc contract issuance"'),
    content: z.string().optional(),
    priority: z.enum(['LOW', 'MEDIUM', 'HIGH']).optional(),
    companyId: RecordId.optional(),
    dealId: RecordId.optional(),
    contactIds: z.array(RecordId).default([]),
    properties: PropertyValues.default({}),
  }),
  mutates: true,
  async run(client: HubSpotClient, input, { signal, idempotencyKey }) {
    const action = 'hubspot.createTicket';
    const { pipeline, stage } = await client.resolveStage(action, 'tickets', input.pipeline, input.stage, signal);
    const properties: Record<string, string> = {
      ...(await client.resolveProperties(action, 'tickets', input.properties, signal)),
      subject: input.subject,
      hs_pipeline: pipeline.id,
      hs_pipeline_stage: stage.id,
      ...(input.content === undefined ? {} : { content: input.content }),
      ...(input.priority === undefined ? {} : { hs_ticket_priority: input.priority }),
    };
    const associations: Association[] = [
      ...(input.companyId ? [{ toType: 'companies' as const, toId: input.companyId }] : []),
      ...(input.dealId ? [{ toType: 'deals' as const, toId: input.dealId }] : []),
      ...input.contactIds.map((id) => ({ toType: 'contacts' as const, toId: id })),
    ];
    return client.upsertOnce(action, 'tickets', properties, associations, idempotencyKey, signal);
  },
});

export const getTicket = defineAction({
  name: 'hubspot.getTicket',
  description: 'Reads a ticket: its pipeline and stage labels and the named properties.',
  input: z.object({ ticketId: RecordId, properties: PropertyList.default([]) }),
  mutates: false,
  run: (client: HubSpotClient, input, { signal }) => readStaged(client, 'hubspot.getTicket', 'tickets', input.ticketId, input.properties, signal),
});

export const moveTicket = defineAction({
  name: 'hubspot.moveTicket',
  description: 'Moves a ticket to a stage given by label, optionally setting properties on the way; no-op if already there.',
  input: z.object({
    ticketId: RecordId,
    pipeline: z.string().min(1),
    stage: z.string().min(1).describe('e.g. "IOD - KYC approval and deposit invoice issuance"'),
    properties: PropertyValues.default({}).describe('Set together with the move, e.g. virtual number details'),
  }),
  mutates: true,
  run: (client: HubSpotClient, input, { signal }) =>
    moveToStage(client, 'hubspot.moveTicket', 'tickets', input.ticketId, input.pipeline, input.stage, input.properties, signal),
});
