// Runs `fn`, which must throw an instance of `type`, and returns that error for assertions on its fields.
import { expect } from 'chai';

export function thrown<E extends Error>(type: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name} to be thrown`);
}
