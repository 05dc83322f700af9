"""Order functions. k3sfn reads the decorators below; the runtime imports this module."""

from k3sfn import http, queue, schedule

# @http("/not-a-route")  -- commented out, ignored by discovery
BANNER = "use @http(...) on a def"  # a string that merely contains @http


@http("/orders", methods=["GET", "POST"], visibility="public")
def list_orders(request):
    return {"orders": []}


@queue("orders-created", max_replicas=20)
def on_order(msg):
    print("order", msg)


@schedule("*/15 * * * *", timezone="Europe/Paris")
def reconcile():
    """Runs every quarter hour; see @schedule docs."""
    pass


@http("/orders/internal/stats", visibility="internal")
async def order_stats(request):
    return {"count": 0}
