/**
 * Where a deal or ticket sits in its pipeline, and moving it. Deals and tickets differ only in the names
 * of their pipeline and stage properties, so both go through these two functions.
 */
import type { HubSpotClient, PipelineObjectType } from '../client';

export const STAGE_PROPERTIES: Record<PipelineObjectType, { pipeline: string; stage: string }> = {
  deals: { pipeline: 'pipeline', stage: 'dealstage' },
  tickets: { pipeline: 'hs_pipeline', stage: 'hs_pipeline_stage' },
};

/** Reads a record with its pipeline and stage as labels, plus the named properties. */
export async function readStaged(client: HubSpotClient, action: string, objectType: PipelineObjectType, id: string, wanted: string[], signal: AbortSignal) {
  const keys = STAGE_PROPERTIES[objectType];
  const names = await Promise.all(wanted.map((p) => client.propertyName(action, objectType, p, signal)));
  const record = await client.getRecord(action, objectType, id, [keys.pipeline, keys.stage, ...names], signal);
  const where = await client.describeStage(action, objectType, record.properties[keys.pipeline] ?? null, record.properties[keys.stage] ?? null, signal);
  return {
    id: record.id,
    pipeline: where.pipeline,
    stage: where.stage,
    properties: Object.fromEntries(wanted.map((p, i) => [p, record.properties[names[i]] ?? null])) as Record<string, string | null>,
  };
}

/**
 * Moves a record to a stage of a pipeline, both given by label. Moving to where it already is succeeds
 * without writing (`changed: false`), which makes a retried step harmless.
 */
export async function moveToStage(
  client: HubSpotClient,
  action: string,
  objectType: PipelineObjectType,
  id: string,
  pipelineLabel: string,
  stageLabel: string,
  extra: Record<string, string>,
  signal: AbortSignal,
) {
  const keys = STAGE_PROPERTIES[objectType];
  const { pipeline, stage } = await client.resolveStage(action, objectType, pipelineLabel, stageLabel, signal);
  const extraProperties = await client.resolveProperties(action, objectType, extra, signal);
  const current = await client.getRecord(action, objectType, id, [keys.pipeline, keys.stage, ...Object.keys(extraProperties)], signal);
  const wanted: Record<string, string> = { [keys.pipeline]: pipeline.id, [keys.stage]: stage.id, ...extraProperties };
  const changes = Object.fromEntries(Object.entries(wanted).filter(([name, value]) => current.properties[name] !== value));
  if (Object.keys(changes).length > 0) await client.updateRecord(action, objectType, id, changes, signal);
  return { id, pipeline: pipeline.label, stage: stage.label, stageId: stage.id, changed: Object.keys(changes).length > 0 };
}
