local ok, err = pcall(function() error("boom") end)
print(ok, err)
local ok2, err2 = pcall(function() error({code = 42}) end)
print(ok2, type(err2), err2.code)
local function deep(n) if n == 0 then error("deep error") end return deep(n - 1) + 1 end
print(pcall(deep, 100))
print(select('#', pcall(error)))
local t = {}
for i = 1, 100000 do t[i] = i * 2 end
local s = 0
for i, v in ipairs(t) do s = s + v end
print("sum", s)
print(string.format("%5.2f", math.pi), ("x"):rep(3))
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1); error("in coroutine " .. b) end)
print(co(1))
print(pcall(co, "x"))
print(xpcall(function() local x = nil; return x.y end, function(m) return "handled: " .. m end))
-- error objects, nested pcall, error levels, and a runtime error inside a deep call chain
local function level2() error("at level 2", 2) end
print(pcall(function() level2() end))
print(pcall(pcall, error, "nested"))
local caught = 0
for i = 1, 20000 do
  local ok = pcall(function() if i % 2 == 0 then error(i) end return i end)
  if not ok then caught = caught + 1 end
end
print("caught", caught)
os.exit(3)
