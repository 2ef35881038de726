import { DefinitionError, loadDefinition } from '../local/engine';
try { loadDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Assign: { '1x': 1, states: 2, ['v'.repeat(81)]: 3, 'größe': 4, _ok: 5 }, End: true } } }); } catch (e) { console.log((e as DefinitionError).problems); }
