// prom-client metrics from the store's traces: operation latency, errors by kind, sessions swept,
// served at /metrics for Prometheus.
'use strict';
const diagnosticsChannel = require('node:diagnostics_channel');
const client = require('prom-client');
const express = require('express');
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);

const latency = new client.Histogram({
  name: 'session_store_operation_seconds',
  help: 'Time a session store operation took, retries included',
  labelNames: ['operation', 'outcome'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
});
const errors = new client.Counter({
  name: 'session_store_errors_total',
  help: 'Session store operations that failed, by operation and kind of error',
  labelNames: ['operation', 'kind'],
});
const swept = new client.Counter({
  name: 'session_store_swept_sessions_total',
  help: 'Expired sessions deleted by the cleanup',
});

// The store publishes on this TracingChannel; with no subscriber it builds nothing.
const started = new WeakMap();
diagnosticsChannel.tracingChannel('sequelize-session-store:operation').subscribe({
  start: (context) => started.set(context, process.hrtime.bigint()),
  end() {},
  asyncStart() {},
  error(context) {
    const kind = context.error?.code ?? context.error?.name ?? 'Error';
    errors.inc({ operation: context.operation, kind: String(kind) });
  },
  asyncEnd(context) {
    const seconds = Number(process.hrtime.bigint() - started.get(context)) / 1e9;
    latency.observe({ operation: context.operation, outcome: 'error' in context ? 'error' : 'ok' }, seconds);
    if (context.operation === 'prune' && context.rows) swept.inc(context.rows);
  },
});

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const app = express();
app.use('/metrics', async (req, res) => {
  await store.prune(); // for the example only: the cleanup timer sweeps every 15 minutes
  res.type(client.register.contentType).send(await client.register.metrics());
});
app.use(
  session({
    secret: process.env.SESSION_SECRET || 'dev-only secret',
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 60 * 60 * 1000 },
  }),
);

app.get('/', (req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  res.send(`views: ${req.session.views}`);
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
process.once('SIGTERM', () => server.close(() => store.close()));
