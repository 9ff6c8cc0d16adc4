// The Redis side of the geo search, for services/lots/geo-*.ts: the lots' positions (keys.lotsGeo, GEO), the
// position writers in flight (keys.lotsGeoWriters), the live entries (keys.lotsLive: each lot's free spots and
// its JSON, a whole key of the versioned cache per bucket of lots, cleared by every write of one of its lots)
// and the rebuild of missing positions. Like the rest of the store, nothing here throws when Redis is down:
// reads answer null, writes answer false.
import { raw } from './gateway.ts';
import { geoApplyScript, geoRebuiltScript, geoRepairScript, geoSearchScript, liveFillScript } from './geo-scripts.ts';
import { keys, LIVE_BUCKETS, ttl } from './keys.ts';
import type { RedisStore } from './store.ts';

export interface GeoPosition {
  id: number;
  lat: number;
  lng: number;
}

export interface GeoSearchArgs {
  lng: number;
  lat: number;
  radiusM: number;
  sort: 'distance' | 'available';
  want: number;
  after: readonly (string | number)[] | undefined;
}

/** A lot the search found, with its live entry (the lot's JSON) or, when that is missing, the version of its key. */
export type GeoHit = { id: number; distanceE4: number } & ({ entry: string } | { version: string });

export type GeoSearchOutcome = { kind: 'missing' } | { kind: 'found'; hits: GeoHit[] };

/** What a committed (or maybe committed) write did to a lot's position. */
export type GeoChange =
  | { op: 'add'; position: GeoPosition; created: boolean }
  | { op: 'remove'; id: number }
  | { op: 'forget' }
  | { op: 'release' };

const buckets = Array.from({ length: LIVE_BUCKETS }, (_, bucket) => keys.lotsLive(bucket));
const searchKeys = [keys.lotsGeo, keys.lotsGeoWriters, ...buckets, ...buckets.map(keys.cacheVersion)];
const repairKeys = [keys.lotsGeo, keys.lotsGeoWriters, keys.cacheVersion(keys.lotsGeo), keys.lotsGeoRebuildLock];

type RawHit = [number, number, 'lot' | 'version', string];

export class GeoStore {
  private readonly store: RedisStore;

  constructor(store: RedisStore) {
    this.store = store;
  }

  /** One round trip, reads only: the lots in the circle with their live entries. Null when Redis could not answer. */
  async search(args: GeoSearchArgs): Promise<GeoSearchOutcome | null> {
    const argv = [Date.now(), args.lng, args.lat, args.radiusM, args.sort, args.want, ...(args.after ?? [])];
    const answer = await this.store.runAppScript<[string, ...unknown[]]>(geoSearchScript, searchKeys, argv.map(String));
    if (!answer) return null;
    if (answer[0] === 'missing') return { kind: 'missing' };
    const hits = (answer.slice(1) as RawHit[]).map(([id, distanceE4, what, value]): GeoHit =>
      what === 'lot' ? { id: Number(id), distanceE4: Number(distanceE4), entry: value } : { id: Number(id), distanceE4: Number(distanceE4), version: value },
    );
    return { kind: 'found', hits };
  }

  /**
   * After a search found the positions missing: drops them if a writer died, then takes the rebuild lock if
   * they are missing. The token when this caller is to rebuild them, with the version to rebuild against.
   */
  async repair(): Promise<{ token: string; version: string } | null> {
    const token = crypto.randomUUID();
    const argv = [Date.now(), token, ttl.geoRebuildLockMs, ttl.cacheVersion].map(String);
    const answer = await this.store.runAppScript<[number, string]>(geoRepairScript, repairKeys, argv);
    return answer && answer[0] === 1 ? { token, version: String(answer[1]) } : null;
  }

  /** Fills the live entries of lots of one bucket, unless its key changed since `version` was read. */
  async fillLive(bucket: number, version: string, lots: { id: number; available_spots: number }[]): Promise<boolean> {
    const key = keys.lotsLive(bucket);
    const argv = [version, String(ttl.lotsLive), ...lots.flatMap((lot) => [String(lot.id), String(lot.available_spots), JSON.stringify(lot)])];
    return (await this.store.runAppScript(liveFillScript, [key, keys.cacheVersion(key)], argv)) === 1;
  }

  /** Marks a position write in flight on `lotId` (0: a lot being created) until `deadline` (ms). */
  async registerWriter(token: string, lotId: number, deadline: number): Promise<boolean> {
    return (await this.store.read((p) => p.hset(keys.lotsGeoWriters, { [token]: `${deadline} ${lotId}` }))) !== null;
  }

  /** Ends the write of `token`, applying its change to the positions (see geoApplyScript). */
  async applyWrite(token: string, change: GeoChange): Promise<boolean> {
    const id = change.op === 'add' ? change.position.id : change.op === 'remove' ? change.id : 0;
    const where = change.op === 'add' ? [change.position.lng, change.position.lat] : [];
    const argv = [token, ttl.cacheVersion, change.op, id, change.op === 'add' && change.created ? 1 : 0, ...where].map(String);
    return (await this.store.runAppScript(geoApplyScript, [keys.lotsGeo, keys.lotsGeoWriters, keys.cacheVersion(keys.lotsGeo)], argv)) === 1;
  }

  /** Adds positions to the rebuild's scratch set (kept a little longer than the rebuild may take). */
  async addToRebuild(token: string, positions: GeoPosition[]): Promise<boolean> {
    const scratch = keys.lotsGeoScratch(token);
    const members = positions.flatMap((p) => [String(p.lng), String(p.lat), String(p.id)]);
    if (members.length === 0) return true;
    const added = this.store.read((p) => raw(p, ['GEOADD', scratch, ...members]));
    const kept = this.store.read((p) => p.pexpire(scratch, ttl.geoRebuildLockMs));
    return (await added) !== null && (await kept) !== null;
  }

  /** Puts the rebuilt positions in place (or gives up); true when they replaced the missing set. */
  async finishRebuild(token: string, version: string, giveUp: boolean): Promise<boolean> {
    const scriptKeys = [keys.lotsGeo, keys.cacheVersion(keys.lotsGeo), keys.lotsGeoRebuildLock, keys.lotsGeoScratch(token)];
    return (await this.store.runAppScript(geoRebuiltScript, scriptKeys, [version, token, giveUp ? '1' : '0'])) === 1;
  }
}
