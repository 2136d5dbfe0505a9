// OpenTelemetry spans from the store's traces: one span per operation (get, set, touch, destroy, the
// listings, each cleanup batch), named `session <operation>`, with the table, the rows and any error.
// Needs @opentelemetry/api and an SDK; here @opentelemetry/sdk-trace-base prints each span in one line.
'use strict';
const diagnosticsChannel = require('node:diagnostics_channel');
const { SpanStatusCode, trace } = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const express = require('express');
const session = require('express-session');
const SequelizeStore = require('sequelize-session-store')(session.Store);

// Use your exporter (OTLP, Jaeger, …) instead of this one-line printer.
const printer = {
  export(spans, done) {
    for (const span of spans) {
      const [seconds, nanos] = span.duration;
      const ms = (seconds * 1e3 + nanos / 1e6).toFixed(1);
      const rows = span.attributes['db.response.returned_rows'];
      console.log(`span ${span.name} ${ms}ms status=${span.status.code}${rows === undefined ? '' : ` rows=${rows}`}`);
    }
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(printer)] }));
const tracer = trace.getTracer('sequelize-session-store');

// The store publishes on this TracingChannel; with no subscriber it builds nothing.
const spans = new WeakMap();
diagnosticsChannel.tracingChannel('sequelize-session-store:operation').subscribe({
  start(context) {
    const attributes = { 'db.collection.name': context.table, 'db.operation.name': context.operation };
    spans.set(context, tracer.startSpan(`session ${context.operation}`, { attributes }));
  },
  end() {},
  asyncStart() {},
  error(context) {
    const span = spans.get(context);
    span?.recordException(context.error);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: context.error?.message });
  },
  asyncEnd(context) {
    const span = spans.get(context);
    if (!span) return;
    if (context.rows !== undefined) span.setAttribute('db.response.returned_rows', context.rows);
    span.end();
  },
});

const store = new SequelizeStore({ sqlitePath: process.env.SESSIONS_SQLITE || './sessions.sqlite' });

const app = express();
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
