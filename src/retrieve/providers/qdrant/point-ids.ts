import { createHash } from 'node:crypto';
import { UserError } from '../../../errors.js';

/**
 * Point ids of collections that `index build` writes. Qdrant accepts only unsigned integers or UUIDs as
 * point ids, and dataset doc ids are arbitrary strings, so each doc id becomes a UUID derived from its
 * sha256: deterministic (a rebuild or resume overwrites the same point) and reversible from the corpus
 * alone, so searches need not fetch payloads to learn which document a point is.
 */
export function pointIdFor(docid: string): string {
  const bytes = createHash('sha256').update(docid, 'utf8').digest().subarray(0, 16);
  // Version 8 (RFC 9562: custom, here sha256-based) and the RFC variant, so it is a well-formed UUID.
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What a search answer carries about a point: its id, and the payload fields asked for. */
export interface ReturnedPoint {
  id: string | number;
  payload?: Record<string, unknown> | null;
}

/**
 * Maps returned points back to dataset doc ids: through a payload field when the collection keeps the doc
 * id there (`idField`), else through the UUIDs of `pointIdFor` when the corpus ids are known, else the
 * point id itself (collections whose point ids are the doc ids).
 */
export class DocIdMapper {
  private readonly byPointId: Map<string, string>;

  constructor(
    private readonly idField: string | undefined,
    docIds: readonly string[] = [],
    private readonly collection = 'the collection',
    private readonly textField?: string,
  ) {
    this.byPointId = new Map(docIds.map((docid) => [pointIdFor(docid), docid]));
  }

  /** Payload fields a search must return: the doc id's and the text's, when they live there. */
  get payloadFields(): string[] | false {
    const fields = [this.idField, this.textField].filter((f): f is string => f !== undefined);
    return fields.length === 0 ? false : fields;
  }

  /** The document text a point carries in `textField`, when one is configured. */
  text(point: ReturnedPoint): string | undefined {
    if (this.textField === undefined) return undefined;
    const value = point.payload?.[this.textField];
    if (typeof value === 'string') return value;
    throw new UserError(
      `point ${point.id} of ${this.collection} has no text in payload field '${this.textField}' (textField)`,
    );
  }

  docid(point: ReturnedPoint): string {
    if (this.idField !== undefined) {
      const value = point.payload?.[this.idField];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      throw new UserError(
        `point ${point.id} of ${this.collection} has no payload field '${this.idField}' (idField) holding a doc id`,
      );
    }
    const id = String(point.id);
    return this.byPointId.get(id) ?? id;
  }
}
