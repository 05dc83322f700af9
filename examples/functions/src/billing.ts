// Billing functions. Grammar: export const name = trigger(literal, { options })(handler).
import { http, queue, schedule } from "k3sfn";

/* export const ignored = http("/commented") (handler) */
const hint = "write export const x = http(\"/p\")(handler)";

export const createInvoice = http("/billing/invoices", {
  methods: ["POST"],
  visibility: "public",
  maxReplicas: 5,
})(async (req: Request): Promise<Response> => {
  return new Response(JSON.stringify({ ok: true, hint }), { status: 201 });
});

export const onPayment = queue("payments-received", { length: 10 })(async (msg: string) => {
  console.log(`payment ${msg}`);
});

export const monthlyStatements = schedule("0 6 1 * *", {
  timezone: "Europe/Paris",
  concurrencyPolicy: "forbid",
  successfulHistory: 2,
})(async () => {
  const re = /\/billing\/[a-z]+/g;
  return re.test("/billing/x");
});
