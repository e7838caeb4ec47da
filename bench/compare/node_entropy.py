#!/usr/bin/env python3
# The floor behind bench/RESULTS.md's disk note: how many bits of pure noise
# a sample of strata-querybench's node profile carries (as of the 2026-11-28
# full runs, before its random-walk and sawtooth gauges). Per series, each
# scrape adds one uniform draw scaled to a range of N distinct rounded
# outcomes (dataset.cc: counters 0.6 * rate * interval, gauges 5% of the
# level, both at the template's decimals); its entropy is about log2(1 + N),
# averaged over the per-series rate factor in [0.5, 1.5]. Constants carry
# none; a histogram's buckets and _sum follow its _count's draw. The
# templates are transcribed from dataset_node_profile.cc.
# Usage: python3 bench/compare/node_entropy.py
import math
I=15.0
def cnt(rate, dec):   # counter: 0.6*r*interval quantized by 10^-dec, r ~ U[0.5,1.5]*rate
    return sum(math.log2(1+0.6*rate*(0.5+(k+0.5)/100)*I*10**dec) for k in range(100))/100
def gauge(level, dec):  # 0.05*level*(1+0.3 sin) quantized
    return sum(math.log2(1+0.05*level*(0.5+(k+0.5)/100)*10**dec) for k in range(100))/100
T=[]
modes=[0.7,0.02,0.001,0.005,0.01,0.003,0.06,0.2]
for c in range(16):
    T += [cnt(m,2) for m in modes]
    T += [0,0]
    T += [cnt(200.0/(i+1),0) for i in range(4)] + [0]*8
    T += [cnt(150,0),0,cnt(0.01,0),cnt(0.3,9),cnt(0.02,9),cnt(300,0),gauge(2.4e9,-3)]
mem=[8e9,2e9,4e9,5e8,6e9,3e9,2e6,1e4,4e8,3e8,1e8,5e7,3e8,3e9,4e7,2e7,9e9,1e6,2e9,2e9]
T += [gauge(x,0) for x in mem] + [0]*4
T += [gauge(6,2),gauge(5.6,2),gauge(5.2,2),gauge(8,0),gauge(1,0),cnt(20000,0),cnt(15000,0),cnt(30,0),0,gauge(256,0),0,gauge(3e7,0),cnt(0.02,2),gauge(12,0)]
for i in range(8):
    l=1.0/(1+i)
    T += [cnt(2e6*l,0),cnt(1e6*l,0),cnt(3000*l,0),cnt(2000*l,0),0,0,cnt(0.002,0),0,0,0,0,0,gauge(20,0)]
for d in range(8):
    T += [cnt(5e5,0),cnt(2e6,0),cnt(100,0),cnt(300,0),cnt(10,0),cnt(60,0),cnt(0.05,3),cnt(0.02,3),cnt(0.2,3),gauge(2,0)]
for f in range(8):
    T += [gauge(5e10,0),gauge(5.5e10,0),gauge(1e6,0),0,0,0,0]
T += [gauge(55,0)]*16 + [gauge(50,1)]*4
for i in range(40):
    T += [gauge(0.002*(1+i%5),6),0]
for p in range(5):
    T += [cnt(50.0/(1+i),0) for i in range(6)]
T += [gauge(100.0*(1+i),0) for i in range(10)]
T += [cnt(1000.0/(1+i),0) for i in range(20)]
T += [gauge(3000,0),0,gauge(9000,0),0] + [0]*8
T += [gauge(5e-5,7)]*5 + [cnt(0.1,0),cnt(1e-5,6),gauge(9,0),0] + [gauge(1e6*(1+i),0) for i in range(13)]
rates=[20,100,5,1]
for h in range(4):
    T += [cnt(rates[h],0), cnt(rates[h]/200,0)]
for h in range(4):   # buckets and _sum follow _count's draw: only _count carries news
    T += [0]*12 + [0, cnt(rates[h],0)]
print(len(T), "series;", round(sum(T)/len(T),2), "bits/sample =", round(sum(T)/len(T)/8,3), "bytes/sample")
