"""Domain services: plain async Python that knows nothing of Sanic or WeChat."""
