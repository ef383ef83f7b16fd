-- Lua workload: recursion, closures, tables (array and hash parts), string building and
-- formatting, a sort with a Lua comparator, and float arithmetic. Prints checksums.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end

local t = {}
local function check(name, v) t[#t + 1] = name .. "=" .. tostring(v) end

check("fib", fib(27))

-- sieve in an array table
local N = 2000000
local sieve, primes = {}, 0
for i = 2, N do sieve[i] = true end
for i = 2, N do
  if sieve[i] then
    primes = primes + 1
    for j = i * i, N, i do sieve[j] = false end
  end
end
check("primes", primes)

-- hash tables keyed by strings
local counts, x = {}, 12345
for i = 1, 300000 do
  x = (x * 1103515245 + 12345) % 2147483648
  local k = "k" .. (x % 5003)
  counts[k] = (counts[k] or 0) + 1
end
local distinct, maxc = 0, 0
for _, c in pairs(counts) do distinct = distinct + 1; if c > maxc then maxc = c end end
check("distinct", distinct); check("max", maxc)

-- objects and closures
local function make_point(px, py)
  local self = { x = px, y = py }
  function self.len2() return self.x * self.x + self.y * self.y end
  return self
end
local acc = 0.0
for i = 1, 300000 do acc = acc + make_point(i % 97, i % 89).len2() end
check("points", string.format("%.1f", acc))

-- sorting with a comparator
local arr = {}
for i = 1, 200000 do x = (x * 1103515245 + 12345) % 2147483648; arr[i] = x end
table.sort(arr, function(a, b) return a > b end)
check("sorted", arr[1] - arr[#arr])

-- string building
local parts = {}
for i = 1, 200000 do parts[#parts + 1] = string.format("%d:%x", i, i * 7) end
local s = table.concat(parts, ",")
local sum = 0
for num in s:gmatch("(%d+):") do sum = sum + tonumber(num) end
check("strlen", #s); check("strsum", sum)

-- float loop (mandelbrot row)
local inside = 0
for py = 0, 199 do
  for px = 0, 199 do
    local cr, ci, zr, zi, n = px / 100 - 1.5, py / 100 - 1.0, 0.0, 0.0, 0
    while n < 50 and zr * zr + zi * zi <= 4.0 do
      zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
      n = n + 1
    end
    if n == 50 then inside = inside + 1 end
  end
end
check("inside", inside)

print(table.concat(t, " "))
