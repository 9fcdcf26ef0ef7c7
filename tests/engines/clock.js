// The fake clock of the test harness, in the page: Date, setTimeout/clearTimeout,
// setInterval/clearInterval, requestAnimationFrame, requestIdleCallback, performance.now,
// Intl.DateTimeFormat and AbortSignal.timeout. A port of Playwright's injected clock
// (playwright-core 1.65, packages/injected/src/clock.ts, Apache-2.0, Copyright Microsoft
// Corporation), so that `page.clock.*` means the same in every engine: installed before any
// page script runs (the harness serves it as part of the context's init script), driven from
// Node by tests/engines/neutral.mjs (install, runFor, fastForward, pauseAt, resume,
// setSystemTime, setFixedTime), each call also logged so that a document loaded later replays
// it and finds the same time.
//
// Evaluating this file defines `globalThis.__skClock = { controller, builtins }` (once per
// document). `builtins` are the real timers and Date.
(() => {
  "use strict";
  if (globalThis.__skClock) return;

  const maxTimeout = 2 ** 31 - 1;
  const idCounterStart = 1e12;

  class ClockController {
    constructor(embedder) {
      this._duringTick = false;
      this._uniqueTimerId = idCounterStart;
      this.disposables = [];
      this._log = [];
      this._timers = new Map();
      this._now = { time: 0, isFixedTime: false, ticks: 0, origin: -1 };
      this._embedder = embedder;
      this._realTime = undefined;
      this._currentRealTimeTimer = undefined;
    }

    uninstall() {
      this.disposables.forEach((dispose) => dispose());
      this.disposables.length = 0;
    }

    now() {
      this._replayLogOnce();
      this._syncRealTime();
      return this._now.time;
    }

    install(time) {
      this._replayLogOnce();
      this._innerInstall(time);
    }

    setSystemTime(time) {
      this._replayLogOnce();
      this._innerSetTime(time);
    }

    setFixedTime(time) {
      this._replayLogOnce();
      this._innerSetFixedTime(time);
    }

    performanceNow() {
      this._replayLogOnce();
      this._syncRealTime();
      return this._now.ticks;
    }

    _syncRealTime() {
      if (!this._realTime) return;
      const now = this._embedder.performanceNow();
      const sinceLastSync = now - this._realTime.lastSyncTicks;
      if (sinceLastSync > 0) {
        this._advanceNow(this._now.ticks + sinceLastSync);
        this._realTime.lastSyncTicks = now;
      }
    }

    _innerSetTime(time) {
      this._now.time = time;
      this._now.isFixedTime = false;
      if (this._now.origin < 0) this._now.origin = this._now.time;
    }

    _innerInstall(time) {
      if (this._now.origin < 0) this._now.ticks = 0;
      this._innerSetTime(time);
    }

    _innerSetFixedTime(time) {
      this._innerSetTime(time);
      this._now.isFixedTime = true;
    }

    _advanceNow(to) {
      if (this._now.ticks > to) return;
      if (!this._now.isFixedTime) this._now.time = this._now.time + to - this._now.ticks;
      this._now.ticks = to;
    }

    log(type, time, param) {
      this._log.push({ type, time, param });
    }

    async runFor(ticks) {
      this._replayLogOnce();
      if (ticks < 0) throw new TypeError("Negative ticks are not supported");
      await this._runWithDisabledRealTimeSync(async () => {
        await this._runTo(this._now.ticks + ticks);
      });
    }

    async _runTo(to) {
      to = Math.ceil(to);
      if (this._now.ticks > to) return;
      let firstException;
      for (;;) {
        const result = await this._callFirstTimer(to);
        if (!result.timerFound) break;
        firstException = firstException || result.error;
      }
      this._advanceNow(to);
      if (firstException) throw firstException;
    }

    async pauseAt(time) {
      this._replayLogOnce();
      await this._innerPause();
      const toConsume = time - this._now.time;
      await this._innerFastForwardTo(this._now.ticks + toConsume);
      return toConsume;
    }

    async _innerPause() {
      this._realTime = undefined;
      await this._currentRealTimeTimer?.dispose();
      this._currentRealTimeTimer = undefined;
    }

    resume() {
      this._replayLogOnce();
      this._innerResume();
    }

    _innerResume() {
      const now = this._embedder.performanceNow();
      this._realTime = { startTicks: now, lastSyncTicks: now };
      this._updateRealTimeTimer();
    }

    _updateRealTimeTimer() {
      if (this._currentRealTimeTimer?.promise) return;
      const firstTimer = this._firstTimer();
      const nextTick = Math.min(firstTimer ? firstTimer.callAt : this._now.ticks + maxTimeout, this._now.ticks + 100);
      const callAt = this._currentRealTimeTimer ? Math.min(this._currentRealTimeTimer.callAt, nextTick) : nextTick;
      if (this._currentRealTimeTimer) {
        this._currentRealTimeTimer.cancel();
        this._currentRealTimeTimer = undefined;
      }
      const realTimeTimer = {
        callAt,
        promise: undefined,
        cancel: this._embedder.setTimeout(() => {
          this._replayLogOnce();
          if (this._currentRealTimeTimer !== realTimeTimer) return;
          this._syncRealTime();
          realTimeTimer.promise = this._runTo(this._now.ticks).catch((e) => console.error(e));
          void realTimeTimer.promise.then(() => {
            if (this._currentRealTimeTimer !== realTimeTimer) return;
            this._currentRealTimeTimer = undefined;
            if (this._realTime) this._updateRealTimeTimer();
          });
        }, callAt - this._now.ticks),
        dispose: async () => {
          realTimeTimer.cancel();
          await realTimeTimer.promise;
        },
      };
      this._currentRealTimeTimer = realTimeTimer;
    }

    async _runWithDisabledRealTimeSync(fn) {
      if (!this._realTime) {
        await fn();
        return;
      }
      await this._innerPause();
      try {
        await fn();
      } finally {
        this._innerResume();
      }
    }

    async fastForward(ticks) {
      this._replayLogOnce();
      await this._runWithDisabledRealTimeSync(async () => {
        await this._innerFastForwardTo(this._now.ticks + Math.trunc(ticks));
      });
    }

    async _innerFastForwardTo(to) {
      if (to < this._now.ticks) throw new Error("Cannot fast-forward to the past");
      for (const timer of this._timers.values()) {
        if (to > timer.callAt) timer.callAt = to;
      }
      await this._runTo(to);
    }

    addTimer(options) {
      this._replayLogOnce();
      if (options.type === "AnimationFrame" && !options.func) throw new Error("Callback must be provided to requestAnimationFrame calls");
      if (options.type === "IdleCallback" && !options.func) throw new Error("Callback must be provided to requestIdleCallback calls");
      if (["Timeout", "Interval"].includes(options.type) && !options.func && options.delay === undefined) {
        throw new Error("Callback must be provided to timer calls");
      }
      let delay = options.delay ? +options.delay : 0;
      if (!Number.isFinite(delay)) delay = 0;
      delay = delay > maxTimeout ? 1 : delay;
      delay = Math.max(0, delay);
      const timer = {
        type: options.type,
        func: options.func,
        args: options.args || [],
        delay,
        callAt: this._now.ticks + (delay || (this._duringTick ? 1 : 0)),
        createdAt: this._now.ticks,
        id: this._uniqueTimerId++,
      };
      this._timers.set(timer.id, timer);
      if (this._realTime) this._updateRealTimeTimer();
      return timer.id;
    }

    countTimers() {
      return this._timers.size;
    }

    _firstTimer(beforeTick) {
      let firstTimer = null;
      for (const timer of this._timers.values()) {
        const isInRange = beforeTick === undefined || timer.callAt <= beforeTick;
        if (isInRange && (!firstTimer || compareTimers(firstTimer, timer) === 1)) firstTimer = timer;
      }
      return firstTimer;
    }

    _takeFirstTimer(beforeTick) {
      const timer = this._firstTimer(beforeTick);
      if (!timer) return null;
      this._advanceNow(timer.callAt);
      if (timer.type === "Interval") timer.callAt = timer.callAt + timer.delay;
      else this._timers.delete(timer.id);
      return timer;
    }

    async _callFirstTimer(beforeTick) {
      const timer = this._takeFirstTimer(beforeTick);
      if (!timer) return { timerFound: false };
      this._duringTick = true;
      try {
        if (typeof timer.func !== "function") {
          let error;
          try {
            globalThis.eval(timer.func);
          } catch (e) {
            error = e;
          }
          await new Promise((f) => this._embedder.postTask(f));
          return { timerFound: true, error };
        }
        let args = timer.args;
        if (timer.type === "AnimationFrame") args = [this._now.ticks];
        else if (timer.type === "IdleCallback") args = [{ didTimeout: false, timeRemaining: () => 0 }];
        let error;
        try {
          timer.func.apply(null, args);
        } catch (e) {
          error = e;
        }
        await new Promise((f) => this._embedder.postTask(f));
        return { timerFound: true, error };
      } finally {
        this._duringTick = false;
      }
    }

    getTimeToNextFrame() {
      this._replayLogOnce();
      return 16 - (this._now.ticks % 16);
    }

    clearTimer(timerId, type) {
      this._replayLogOnce();
      if (!timerId) return;
      const id = Number(timerId);
      const timer = this._timers.get(id);
      if (!timer) return;
      if (timer.type === type || (timer.type === "Timeout" && type === "Interval") || (timer.type === "Interval" && type === "Timeout")) {
        this._timers.delete(id);
      } else {
        throw new Error(`Cannot clear timer: timer created with ${scheduleHandler(timer.type)}() but cleared with ${clearHandler(type)}()`);
      }
    }

    _replayLogOnce() {
      if (!this._log.length) return;
      let lastLogTime = -1;
      let isPaused = !this._realTime;
      for (const { type, time, param } of this._log) {
        if (!isPaused && lastLogTime !== -1) this._advanceNow(this._now.ticks + time - lastLogTime);
        lastLogTime = time;
        if (type === "install") {
          this._innerInstall(param);
        } else if (type === "fastForward" || type === "runFor") {
          this._advanceNow(this._now.ticks + param);
        } else if (type === "pauseAt") {
          isPaused = true;
          this._innerSetTime(param);
        } else if (type === "resume") {
          isPaused = false;
        } else if (type === "setFixedTime") {
          this._innerSetFixedTime(param);
        } else if (type === "setSystemTime") {
          this._innerSetTime(param);
        }
      }
      if (!isPaused) {
        if (lastLogTime > 0) this._advanceNow(this._now.ticks + this._embedder.dateNow() - lastLogTime);
        this._innerResume();
      } else {
        this._realTime = undefined;
        if (!this._currentRealTimeTimer?.promise) {
          this._currentRealTimeTimer?.cancel();
          this._currentRealTimeTimer = undefined;
        }
      }
      this._log.length = 0;
    }
  }

  function compareTimers(a, b) {
    if (a.callAt < b.callAt) return -1;
    if (a.callAt > b.callAt) return 1;
    if (a.createdAt < b.createdAt) return -1;
    if (a.createdAt > b.createdAt) return 1;
    if (a.id < b.id) return -1;
    if (a.id > b.id) return 1;
    return 0;
  }

  const scheduleHandler = (type) => (type === "IdleCallback" || type === "AnimationFrame" ? `request${type}` : `set${type}`);
  const clearHandler = (type) => (type === "IdleCallback" || type === "AnimationFrame" ? `cancel${type}` : `clear${type}`);

  function mirrorDateProperties(target, source) {
    for (const prop in source) {
      if (Object.prototype.hasOwnProperty.call(source, prop)) target[prop] = source[prop];
    }
    target.toString = () => source.toString();
    target.prototype = source.prototype;
    target.parse = source.parse;
    target.UTC = source.UTC;
    target.prototype.toUTCString = source.prototype.toUTCString;
    target.isFake = true;
    return target;
  }

  function createDate(clock, NativeDate) {
    function ClockDate(year, month, date, hour, minute, second, ms) {
      if (!(this instanceof ClockDate)) return new NativeDate(clock.now()).toString();
      switch (arguments.length) {
        case 0: return new NativeDate(clock.now());
        case 1: return new NativeDate(year);
        case 2: return new NativeDate(year, month);
        case 3: return new NativeDate(year, month, date);
        case 4: return new NativeDate(year, month, date, hour);
        case 5: return new NativeDate(year, month, date, hour, minute);
        case 6: return new NativeDate(year, month, date, hour, minute, second);
        default: return new NativeDate(year, month, date, hour, minute, second, ms);
      }
    }
    ClockDate.now = () => clock.now();
    return mirrorDateProperties(ClockDate, NativeDate);
  }

  function createIntl(clock, NativeIntl) {
    const ClockIntl = {};
    for (const key of Object.getOwnPropertyNames(NativeIntl)) ClockIntl[key] = NativeIntl[key];
    const nativePrototype = NativeIntl.DateTimeFormat.prototype;
    const nativeFormat = Object.getOwnPropertyDescriptor(nativePrototype, "format").get;
    const nativeFormatToParts = nativePrototype.formatToParts;
    ClockIntl.DateTimeFormat = function DateTimeFormat(...args) {
      return Reflect.construct(NativeIntl.DateTimeFormat, args, new.target ?? ClockIntl.DateTimeFormat);
    };
    ClockIntl.DateTimeFormat.prototype = Object.create(nativePrototype, {
      ...Object.getOwnPropertyDescriptors(nativePrototype),
      constructor: { value: ClockIntl.DateTimeFormat, writable: true, configurable: true },
      format: {
        get() {
          const format = nativeFormat.call(this);
          return (date) => format(date === undefined ? clock.now() : date);
        },
        configurable: true,
      },
      formatToParts: {
        value(date) {
          return nativeFormatToParts.call(this, date === undefined ? clock.now() : date);
        },
        writable: true,
        configurable: true,
      },
    });
    ClockIntl.DateTimeFormat.supportedLocalesOf = NativeIntl.DateTimeFormat.supportedLocalesOf;
    return ClockIntl;
  }

  class FakePerformanceEntry {
    constructor(name, entryType, startTime, duration) {
      this.name = name;
      this.entryType = entryType;
      this.startTime = startTime;
      this.duration = duration;
    }

    toJSON() {
      return JSON.stringify({ ...this });
    }
  }

  function fakePerformance(clock, performance) {
    const result = { now: () => clock.performanceNow() };
    Object.defineProperty(result, "timeOrigin", { get: () => clock._now.origin || 0, enumerable: true, configurable: true });
    for (const key of Object.keys(Object.getPrototypeOf(performance))) {
      if (key === "now" || key === "timeOrigin") continue;
      if (key === "getEntries" || key === "getEntriesByName" || key === "getEntriesByType") result[key] = () => [];
      else if (key === "mark") result[key] = (name) => new FakePerformanceEntry(name, "mark", 0, 0);
      else if (key === "measure") result[key] = (name) => new FakePerformanceEntry(name, "measure", 0, 50);
      else result[key] = () => {};
    }
    return result;
  }

  function fakeAbortSignal(clock, abortSignal) {
    Object.defineProperty(abortSignal, "timeout", {
      configurable: true,
      writable: true,
      value(ms) {
        const controller = new AbortController();
        clock.addTimer({
          delay: ms,
          type: "Timeout",
          func: () => controller.abort(new DOMException("The operation timed out.", "TimeoutError")),
        });
        return controller.signal;
      },
    });
    return abortSignal;
  }

  function platformOriginals(globalObject) {
    const raw = {
      setTimeout: globalObject.setTimeout,
      clearTimeout: globalObject.clearTimeout,
      setInterval: globalObject.setInterval,
      clearInterval: globalObject.clearInterval,
      requestAnimationFrame: globalObject.requestAnimationFrame || undefined,
      cancelAnimationFrame: globalObject.cancelAnimationFrame || undefined,
      requestIdleCallback: globalObject.requestIdleCallback || undefined,
      cancelIdleCallback: globalObject.cancelIdleCallback || undefined,
      Date: globalObject.Date,
      performance: globalObject.performance,
      Intl: globalObject.Intl,
      AbortSignal: globalObject.AbortSignal,
    };
    const bound = { ...raw };
    for (const key of Object.keys(bound)) {
      if (key !== "Date" && key !== "AbortSignal" && typeof bound[key] === "function") bound[key] = bound[key].bind(globalObject);
    }
    return { raw, bound };
  }

  function createApi(clock, originals) {
    return {
      setTimeout: (func, timeout, ...args) => clock.addTimer({ type: "Timeout", func, args, delay: timeout ? +timeout : timeout }),
      clearTimeout: (timerId) => {
        if (timerId) clock.clearTimer(timerId, "Timeout");
      },
      setInterval: (func, timeout, ...args) => clock.addTimer({ type: "Interval", func, args, delay: timeout ? +timeout : timeout }),
      clearInterval: (timerId) => {
        if (timerId) clock.clearTimer(timerId, "Interval");
      },
      requestAnimationFrame: (callback) => clock.addTimer({ type: "AnimationFrame", func: callback, delay: clock.getTimeToNextFrame() }),
      cancelAnimationFrame: (timerId) => {
        if (timerId) clock.clearTimer(timerId, "AnimationFrame");
      },
      requestIdleCallback: (callback, options) => {
        const timeToNextIdlePeriod = clock.countTimers() > 0 ? 50 : 0;
        return clock.addTimer({
          type: "IdleCallback",
          func: callback,
          delay: options?.timeout ? Math.min(options.timeout, timeToNextIdlePeriod) : timeToNextIdlePeriod,
        });
      },
      cancelIdleCallback: (timerId) => {
        if (timerId) clock.clearTimer(timerId, "IdleCallback");
      },
      Intl: originals.Intl ? createIntl(clock, originals.Intl) : undefined,
      Date: createDate(clock, originals.Date),
      performance: originals.performance ? fakePerformance(clock, originals.performance) : undefined,
      AbortSignal: originals.AbortSignal ? fakeAbortSignal(clock, originals.AbortSignal) : undefined,
    };
  }

  function install(globalObject) {
    const originals = platformOriginals(globalObject);
    const tasks = [];
    let channel;
    const embedder = {
      dateNow: () => originals.raw.Date.now(),
      performanceNow: () => Math.ceil(originals.raw.performance.now()),
      setTimeout: (task, timeout) => {
        const timerId = originals.bound.setTimeout(task, timeout);
        return () => originals.bound.clearTimeout(timerId);
      },
      postTask: (task) => {
        if (!channel) {
          channel = new globalObject.MessageChannel();
          channel.port1.onmessage = () => tasks.shift()();
        }
        tasks.push(task);
        channel.port2.postMessage(undefined);
      },
    };
    const clock = new ClockController(embedder);
    const api = createApi(clock, originals.bound);
    for (const method of Object.keys(originals.raw)) {
      if (api[method] === undefined) continue;
      if (method === "Date") {
        globalObject.Date = mirrorDateProperties(api.Date, globalObject.Date);
      } else if (method === "Intl" || method === "AbortSignal") {
        globalObject[method] = api[method];
      } else if (method === "performance") {
        globalObject.performance = api.performance;
        const kEventTimeStamp = Symbol("skEventTimeStamp");
        Object.defineProperty(Event.prototype, "timeStamp", {
          configurable: true,
          get() {
            if (!this[kEventTimeStamp]) this[kEventTimeStamp] = api.performance.now();
            return this[kEventTimeStamp];
          },
        });
      } else {
        globalObject[method] = (...args) => api[method].apply(api, args);
      }
      clock.disposables.push(() => {
        globalObject[method] = originals.raw[method];
      });
    }
    return { clock, builtins: originals.bound };
  }

  const { clock: controller, builtins } = install(globalThis);
  controller.resume();
  Object.defineProperty(globalThis, "__skClock", { value: { controller, builtins }, configurable: false, enumerable: false, writable: false });
})();
