-- wrk script for `make soak`: rotate through the requests listed in a file (one per line:
-- path, a tab, and an ETag to send as If-None-Match, or nothing), each thread from its own
-- starting point. `wrk ... -s bench/soak.lua URL -- requests.tsv`
local requests = {}
local index = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, etag = line:match("^([^\t]+)\t?(.*)$")
    local headers = {}
    if etag ~= nil and etag ~= "" then headers["If-None-Match"] = etag end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  math.randomseed(os.time() + tonumber(tostring(requests):match("0x(%x+)") or "0", 16))
  index = math.random(#requests)
end

function request()
  index = index % #requests + 1
  return requests[index]
end
