// The store promises that no call, with or without a callback, ever leaves an unhandled rejection.
const rejections: unknown[] = [];
const record = (reason: unknown): void => {
  rejections.push(reason);
};
process.on('unhandledRejection', record);

afterEach(async () => {
  // Node reports unhandled rejections after the microtask queue drains.
  await new Promise((resolve) => setImmediate(resolve));
  const found = rejections.splice(0);
  expect(found).toEqual([]);
});

afterAll(() => {
  process.off('unhandledRejection', record);
});
