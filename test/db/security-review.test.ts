import { availableBackends } from '../support/backends';
import { errorsOf, rowsOf, sameTable, sessionData, useBackend } from '../support/stores';

// Issue 18: what a security review of the store found, each proved closed on every backend.
describe.each(availableBackends())('security review on $name', (backend) => {
  const ctx = useBackend(backend);

  describe('plaintext rows once encryption is on (item 1)', () => {
    test('with a secret, a plaintext row written by someone with table access is no session, plus an error', async () => {
      const encrypted = await ctx.store({ secret: 'a long random secret for the review tests' });
      await encrypted.set('victim', sessionData(60_000, { role: 'user' }));
      // Whoever can write the table swaps the ciphertext for plain JSON of their choosing.
      await encrypted.sessionModel.update(
        { data: JSON.stringify(sessionData(60_000, { role: 'admin' })) },
        { where: { sid: 'victim' } },
      );
      const errors = errorsOf(encrypted);
      expect(await encrypted.get('victim')).toBeNull();
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/is unreadable \(not encrypted/)]);
    });

    test('with an encryption adapter, a plaintext row is refused too', async () => {
      const adapter = {
        encrypt: (text: string) => Buffer.from(text).toString('base64'),
        decrypt: (text: string) => Buffer.from(text, 'base64').toString(),
      };
      const plain = await ctx.store();
      await plain.set('old', sessionData(60_000, { role: 'admin' }));
      const store = await ctx.store({ ...sameTable(plain), encryption: adapter });
      const errors = errorsOf(store);
      expect(await store.get('old')).toBeNull();
      expect(errors).toHaveLength(1);
    });

    test('allowPlaintext: true keeps plaintext rows readable while a table is being encrypted', async () => {
      const plain = await ctx.store();
      await plain.set('old', sessionData(60_000, { user: 'ada' }));
      const migrating = await ctx.store({ ...sameTable(plain), secret: 'migrating-secret', allowPlaintext: true });
      expect((await migrating.get('old'))?.user).toBe('ada');
      await migrating.set('old', sessionData(60_000, { user: 'ada', saved: true }));
      expect(String((await rowsOf(migrating)).old!.data)).toMatch(/^sss1\./);
    });
  });
});
