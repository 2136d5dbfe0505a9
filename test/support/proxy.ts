import net from 'node:net';

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

/**
 * A TCP relay between the store and a real database server, to break the network without touching
 * the server other people's tests use: drop every connection, refuse new ones, or stop relaying
 * (a server that no longer answers).
 */
export class TcpProxy {
  readonly #pairs = new Set<Pair>();
  #listener: net.Server | undefined;
  #frozen = false;
  #port = 0;

  private constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  /** Starts relaying to `url`'s host and port; returns the proxy. */
  static async start(url: string): Promise<TcpProxy> {
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.restore();
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** `url` with the proxy in place of the server. */
  via(url: string): string {
    const through = new URL(url);
    through.host = `127.0.0.1:${this.#port}`;
    return through.toString();
  }

  /** Listens (again) on the same port: the database is back. */
  restore(): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = net.createServer((client) => this.#relay(client));
      listener.once('error', reject);
      listener.listen(this.#port, '127.0.0.1', () => {
        this.#port = (listener.address() as net.AddressInfo).port;
        this.#listener = listener;
        resolve();
      });
    });
  }

  /** Resets every open connection; new ones still get through. */
  drop(): void {
    for (const pair of this.#pairs) {
      pair.client.resetAndDestroy();
      pair.server.destroy();
    }
    this.#pairs.clear();
  }

  /** Refuses new connections and resets the open ones: the database has gone away. */
  async cut(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    const closed = new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
    this.drop();
    await closed;
  }

  /** Stops relaying in both directions, new connections included: the server no longer answers. */
  freeze(): void {
    this.#frozen = true;
    for (const { client, server } of this.#pairs) {
      client.pause();
      server.pause();
    }
  }

  thaw(): void {
    this.#frozen = false;
    for (const { client, server } of this.#pairs) {
      client.resume();
      server.resume();
    }
  }

  async close(): Promise<void> {
    await this.cut();
  }

  #relay(client: net.Socket): void {
    const server = net.connect(this.targetPort, this.host);
    const pair = { client, server };
    this.#pairs.add(pair);
    const end = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      from.on('data', (chunk) => {
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => {
        if (!this.#frozen) from.resume();
      });
      from.on('error', end);
      from.on('close', end);
    }
    if (this.#frozen) {
      client.pause();
      server.pause();
    }
  }
}
