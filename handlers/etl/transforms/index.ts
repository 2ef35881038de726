// The transform modules a spec may name in its `transform` field. Imported statically, so the Lambda
// bundle holds every one; to add a module, write it beside this file (see row-transform.ts for the
// contract) and list it here.
//
// spec.ts imports this registry: a module may import spec.ts only for types (`import type`), or the
// modules would be evaluated in the middle of spec.ts's own evaluation.
import type { AnyTransformModule } from '../row-transform';
import { flightDelays } from './flight-delays';

const MODULES: readonly AnyTransformModule[] = [flightDelays];

export const TRANSFORMS: ReadonlyMap<string, AnyTransformModule> = new Map(MODULES.map((m) => [m.name, m]));
if (TRANSFORMS.size !== MODULES.length) throw new Error(`two transform modules share a name: ${MODULES.map((m) => m.name).join(', ')}`);
