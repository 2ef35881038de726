// Moved to handlers/lib/seeded-random.ts (handlers need it too); this path stays until its importers move.
export { seededRandom, type Random } from '../../handlers/lib/seeded-random';
