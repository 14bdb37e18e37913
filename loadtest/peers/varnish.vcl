vcl 4.1;
# Tuned Varnish cache in front of the emulator: the same workload as
# nginx-cache.conf. Varnish cannot sign per request either (no SHA-1 in the
# bundled vmods): loadtest/lib.sh (start_varnish) fills in headers valid for
# 5 minutes, and restarts Varnish for each scenario. Cache key = URL, every
# HTTP 200 kept for 1 h whatever Cache-Control says (like proxy_cache_valid
# 200 1h + proxy_ignore_headers), anything else not cached. Concurrent
# misses on one URL wait for the first fetch: Varnish's waiting list (its
# default request coalescing; grace 0 so nothing stale is served instead).

backend emulator {
  .host = "127.0.0.1";
  .port = "@UPSTREAM_PORT@";
  .connect_timeout = 1s;
  .first_byte_timeout = 10s;
  .between_bytes_timeout = 10s;
}

sub vcl_recv {
  if (req.method != "GET" && req.method != "HEAD") {
    return (pass);
  }
  # Clients hold no credentials and the gateway workload sends no cookies;
  # drop them so builtin.vcl's "pass on Cookie/Authorization" never applies.
  unset req.http.Cookie;
  unset req.http.Authorization;
  return (hash);
}

sub vcl_hash {
  # The URL alone (builtin.vcl would add the Host header).
  hash_data(req.url);
  return (lookup);
}

sub vcl_backend_fetch {
  set bereq.http.AppKey = "@APPKEY@";
  set bereq.http.Nonce = "@NONCE@";
  set bereq.http.CurTime = "@CURTIME@";
  set bereq.http.CheckSum = "@CHECKSUM@";
}

sub vcl_backend_response {
  if (beresp.status == 200) {
    unset beresp.http.Set-Cookie;
    unset beresp.http.Cache-Control;
    unset beresp.http.Expires;
    set beresp.ttl = 1h;
    set beresp.grace = 0s;
    set beresp.keep = 0s;
    return (deliver);
  }
  # Not cached; a hit-for-miss marker so the next request fetches again
  # without queueing on the waiting list.
  set beresp.ttl = 1s;
  set beresp.uncacheable = true;
  return (deliver);
}

sub vcl_deliver {
  # Like yxgate's X-Yxgate-Cache: lets the scripts check that hits are hits.
  if (obj.hits > 0) {
    set resp.http.X-Cache = "hit";
  } else {
    set resp.http.X-Cache = "miss";
  }
}
