import { Coalescer } from "../../../provider/core/batch";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("requests waiting together go out as one batch, each gets its own answer", async () => {
  const sent: string[][] = [];
  const c = new Coalescer<string, string>(async (key, reqs) => {
    sent.push([key, ...reqs]);
    return reqs.map((r) => r.toUpperCase());
  });
  const answers = await Promise.all([c.request("h1", "a"), c.request("h1", "b"), c.request("h2", "c"), c.request("h1", "d")]);
  expect(answers).toEqual(["A", "B", "C", "D"]);
  expect(sent.sort()).toEqual([["h1", "a", "b", "d"], ["h2", "c"]]);
});

test("a request never joins a batch already sent: it is answered by a later one", async () => {
  const sent: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const c = new Coalescer<string, number>(async (_k, reqs) => {
    sent.push([...reqs]);
    const n = sent.length;
    if (n === 1) await gate;
    return reqs.map(() => n);
  }, { quietMs: 5 });
  const first = c.request("h", "early");
  await sleep(30);
  const second = c.request("h", "late");
  await sleep(30);
  release();
  expect(await first).toBe(1);
  expect(await second).toBe(2);
  expect(sent).toEqual([["early"], ["late"]]);
});

test("a steady stream is cut at maxWaitMs", async () => {
  const sizes: number[] = [];
  const c = new Coalescer<number, number>(async (_k, reqs) => {
    sizes.push(reqs.length);
    return [...reqs];
  }, { quietMs: 20, maxWaitMs: 50 });
  const all: Promise<number>[] = [];
  for (let i = 0; i < 12; i++) {
    all.push(c.request("h", i));
    await sleep(10);
  }
  expect(await Promise.all(all)).toEqual([...Array(12).keys()]);
  expect(sizes.length).toBeGreaterThan(1);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(12);
});

test("a failed batch fails each of its requests", async () => {
  const c = new Coalescer<string, string>(async () => {
    throw new Error("host down");
  });
  const r = await Promise.allSettled([c.request("h", "a"), c.request("h", "b")]);
  expect(r.map((x) => x.status)).toEqual(["rejected", "rejected"]);
  expect((r[0] as PromiseRejectedResult).reason.message).toBe("host down");
});

test("one batch per key in flight: what arrives meanwhile goes out together when it is done", async () => {
  const sent: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const c = new Coalescer<string, string>(async (_k, reqs) => {
    sent.push([...reqs]);
    if (sent.length === 1) await gate;
    return [...reqs];
  }, { quietMs: 5, maxWaitMs: 10 });
  const all = [c.request("h", "a")];
  await sleep(30);
  all.push(c.request("h", "b"));
  await sleep(30); // well past b's window: b waits for a's batch
  all.push(c.request("h", "c"));
  all.push(c.request("other", "x")); // another key is not held up
  await sleep(30);
  expect(sent).toEqual([["a"], ["x"]]);
  release();
  expect(await Promise.all(all)).toEqual(["a", "b", "c", "x"]);
  expect(sent).toEqual([["a"], ["x"], ["b", "c"]]);
});
