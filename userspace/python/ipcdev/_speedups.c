// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ipcdev._speedups: the acquire/release path of ipcdev.Lock and RLock in C.
 *
 * Optional: the package works without it (synchronize.py's pure-Python
 * _PyKernelLock has the same behaviour, only slower).  Built by
 * `make userspace` into build/python/ when Python.h is there, or by a
 * wheel build as ipcdev/_speedups*.so.
 *
 * It calls libipcdev's ipc_array_lock()/ipc_array_unlock() through the
 * function pointers that ctypes already resolved (given as integers), on
 * the struct ipc_array of a ctypes IpcArray object it keeps alive, so
 * that it needs no link against libipcdev and no copy of its headers.
 *
 * One object is one process's handle on a segment's kernel lock, which
 * the kernel owns per process.  Threads of the process take turns at it
 * (take_turn()): `busy` says that one of them holds it or is acquiring
 * it.  busy, the recursion count, the owner thread of an RLock and the
 * count of threads waiting for their turn are only read and written with
 * the GIL held, so the usual acquire (nobody busy) and release (nobody
 * waiting) cost no atomic operation besides the kernel lock's own.  A
 * thread that finds it busy sleeps on `gate`, a PyThread lock used as a
 * binary semaphore that release() posts when threads wait.  Blocking
 * waits (gate, the kernel lock) drop the GIL; a signal ends a wait with
 * EINTR: the handlers run (PyErr_CheckSignals) and the wait goes on with
 * the time left (PEP 475).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <errno.h>
#include <stdint.h>
#include <time.h>

typedef int (*lock_fn)(void *a, int block, int64_t timeout_ns);
typedef int (*unlock_fn)(void *a);

typedef struct {
	PyObject_HEAD
	void *a;		/* struct ipc_array *, inside keep */
	PyObject *keep;		/* the ctypes IpcArray that holds *a */
	lock_fn lock;
	unlock_fn unlock;
	PyThread_type_lock gate; /* threads wait here for their turn */
	unsigned long owner;	/* RLock: thread holding it (count > 0) */
	long count;		/* acquisitions not released (Lock: 0/1) */
	int busy;		/* a thread holds it or is acquiring it */
	int nwait;		/* threads waiting for busy to clear */
	int posted;		/* gate released, not yet taken */
	int recursive;
	char owner_died;
	PyObject *dict;
	PyObject *weakreflist;
} KLock;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * (block, timeout) as multiprocessing takes them: timeout None or
 * omitted: forever; a number: seconds, negative counts as 0.  *end is
 * -1 for forever; for a non-blocking call it is unused.
 */
static int parse_wait(PyObject *const *args, Py_ssize_t nargs,
		      PyObject *kwnames, int *block, int64_t *end)
{
	PyObject *oblock = NULL, *otimeout = NULL;
	Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	double t;

	if (nargs > 2) {
		PyErr_SetString(PyExc_TypeError,
				"acquire() takes at most 2 arguments");
		return -1;
	}
	if (nargs > 0)
		oblock = args[0];
	if (nargs > 1)
		otimeout = args[1];
	for (i = 0; i < nkw; i++) {
		PyObject *k = PyTuple_GET_ITEM(kwnames, i);

		if (PyUnicode_CompareWithASCIIString(k, "block") == 0 &&
		    !oblock) {
			oblock = args[nargs + i];
		} else if (PyUnicode_CompareWithASCIIString(k, "timeout") == 0 &&
			   !otimeout) {
			otimeout = args[nargs + i];
		} else {
			PyErr_Format(PyExc_TypeError,
				     "acquire() got an unexpected or repeated keyword argument '%U'",
				     k);
			return -1;
		}
	}
	*block = 1;
	if (oblock) {
		*block = PyObject_IsTrue(oblock);
		if (*block < 0)
			return -1;
	}
	*end = -1;
	if (*block && otimeout && otimeout != Py_None) {
		t = PyFloat_AsDouble(otimeout);
		if (t == -1.0 && PyErr_Occurred())
			return -1;
		if (t != t) {
			PyErr_SetString(PyExc_ValueError, "timeout is NaN");
			return -1;
		}
		if (t < 0)
			t = 0;
		if (t > 1e9)	/* ~31 years: forever */
			return 0;
		*end = now_ns() + (int64_t)(t * 1e9);
	}
	return 0;
}

static int64_t left_ns(int64_t end)
{
	int64_t left;

	if (end < 0)
		return -1;
	left = end - now_ns();
	return left > 0 ? left : 0;
}

/*
 * This thread's turn at the kernel lock (busy set by us): 1 taken, 0 timed
 * out or not blocking, -1 exception (a signal handler).  A waiter woken
 * finds busy clear, or taken again by a thread that came first: then it
 * waits again, and that thread's release() posts the gate again.
 */
static int take_turn(KLock *self, int block, int64_t end)
{
	PyLockStatus st;
	int64_t ns;
	int ret = 0;

	if (!self->busy) {
		self->busy = 1;
		return 1;
	}
	if (!block)
		return 0;
	self->nwait++;
	for (;;) {
		ns = left_ns(end);
		if (ns == 0)
			break;
		Py_BEGIN_ALLOW_THREADS
		st = PyThread_acquire_lock_timed(self->gate,
						 ns < 0 ? -1 : ns / 1000, 1);
		Py_END_ALLOW_THREADS
		if (st == PY_LOCK_ACQUIRED)
			self->posted = 0;
		if (!self->busy) {
			self->busy = 1;
			ret = 1;
			break;
		}
		if (st == PY_LOCK_INTR && PyErr_CheckSignals()) {
			ret = -1;
			break;
		}
	}
	self->nwait--;
	return ret;
}

/* End this thread's turn; post the gate if threads wait for theirs. */
static void give_turn(KLock *self)
{
	self->busy = 0;
	if (self->nwait && !self->posted) {
		self->posted = 1;
		PyThread_release_lock(self->gate);
	}
}

static PyObject *os_error(int err)
{
	errno = err;
	return PyErr_SetFromErrno(PyExc_OSError);
}

/*
 * The kernel lock, our turn taken: 1 taken, 0 not (EAGAIN, ETIMEDOUT), -1
 * exception.  EDEADLK: this process holds it through another handle
 * (the same named lock opened twice): wait for that one, as
 * multiprocessing would, by polling every 5 ms.
 */
static int take_klock(KLock *self, int block, int64_t end)
{
	int r = self->lock(self->a, 0, 0);
	int64_t ns;

	for (;;) {
		if (r == 0)
			return 1;
		if (r == -EOWNERDEAD) {
			self->owner_died = 1;
			return 1;
		}
		if (r == -ETIMEDOUT || (r == -EAGAIN && !block))
			return 0;
		if (r == -EINTR) {
			if (PyErr_CheckSignals())
				return -1;
		} else if (r == -EDEADLK) {
			struct timespec ts = { 0, 5000000 };

			if (!block)
				return 0;
			ns = left_ns(end);
			if (ns == 0)
				return 0;
			if (ns > 0 && ns < 5000000)
				ts.tv_nsec = ns;
			Py_BEGIN_ALLOW_THREADS
			nanosleep(&ts, NULL);
			Py_END_ALLOW_THREADS
			if (PyErr_CheckSignals())
				return -1;
			r = self->lock(self->a, 0, 0);
			continue;
		} else if (r != -EAGAIN) {
			os_error(-r);
			return -1;
		}
		ns = left_ns(end);
		if (ns == 0)
			return 0;
		Py_BEGIN_ALLOW_THREADS
		r = self->lock(self->a, 1, ns);
		Py_END_ALLOW_THREADS
	}
}

static PyObject *do_acquire(KLock *self, int block, int64_t end)
{
	int r;

	if (self->recursive && self->count > 0 &&
	    self->owner == PyThread_get_thread_ident()) {
		self->count++;
		Py_RETURN_TRUE;
	}
	r = take_turn(self, block, end);
	if (r <= 0)
		return r < 0 ? NULL : Py_NewRef(Py_False);
	r = take_klock(self, block, end);
	if (r <= 0) {
		give_turn(self);
		return r < 0 ? NULL : Py_NewRef(Py_False);
	}
	self->owner = PyThread_get_thread_ident();
	self->count = 1;
	Py_RETURN_TRUE;
}

static PyObject *KLock_acquire(KLock *self, PyObject *const *args,
			       Py_ssize_t nargs, PyObject *kwnames)
{
	int block = 1;
	int64_t end = -1;

	if ((nargs || kwnames) &&
	    parse_wait(args, nargs, kwnames, &block, &end))
		return NULL;
	return do_acquire(self, block, end);
}

static PyObject *KLock_enter(KLock *self, PyObject *unused)
{
	return do_acquire(self, 1, -1);
}

static PyObject *KLock_release(KLock *self, PyObject *unused)
{
	int r;

	if (self->recursive) {
		if (self->count == 0 ||
		    self->owner != PyThread_get_thread_ident()) {
			PyErr_SetString(PyExc_AssertionError,
					"attempt to release recursive lock not owned by thread");
			return NULL;
		}
		if (self->count > 1) {
			self->count--;
			Py_RETURN_NONE;
		}
	}
	r = self->unlock(self->a);
	if (r == -EPERM) {
		PyErr_SetString(PyExc_ValueError,
				"semaphore or lock released too many times (or by a process that does not hold it)");
		return NULL;
	}
	if (r < 0)
		return os_error(-r);
	if (self->count > 0) {
		self->count = 0;
		self->owner = 0;
		give_turn(self);
	}
	Py_RETURN_NONE;
}

static PyObject *KLock_exit(KLock *self, PyObject *const *args,
			    Py_ssize_t nargs)
{
	return KLock_release(self, NULL);
}

/* A gate for threads to wait at: a PyThread lock, taken (not posted). */
static PyThread_type_lock new_gate(void)
{
	PyThread_type_lock l = PyThread_allocate_lock();

	if (l)
		PyThread_acquire_lock(l, 1);
	return l;
}

/* After fork(), in the child: it holds nothing (the kernel lock is the
 * parent's), and no other thread is there to wait. */
static PyObject *KLock_after_fork(KLock *self, PyObject *unused)
{
	PyThread_type_lock l = new_gate();

	if (!l)
		return PyErr_NoMemory();
	/* The old one is not freed: threads that are gone slept on it. */
	self->gate = l;
	self->count = 0;
	self->owner = 0;
	self->busy = 0;
	self->nwait = 0;
	self->posted = 0;
	Py_RETURN_NONE;
}

static PyObject *KLock_is_mine(KLock *self, PyObject *unused)
{
	return PyBool_FromLong(self->count > 0 &&
			       self->owner == PyThread_get_thread_ident());
}

static PyObject *KLock_count(KLock *self, PyObject *unused)
{
	return PyLong_FromLong(self->count);
}

/*
 * _KernelLock(ipc_array, array_addr, lock_fn_addr, unlock_fn_addr,
 *             recursive)
 */
static int KLock_init(KLock *self, PyObject *args, PyObject *kw)
{
	PyObject *keep;
	unsigned long long a, lk, ul;
	int recursive;

	if (!PyArg_ParseTuple(args, "OKKKp:_KernelLock", &keep, &a, &lk, &ul,
			      &recursive))
		return -1;
	if (!a || !lk || !ul) {
		PyErr_SetString(PyExc_ValueError, "NULL address");
		return -1;
	}
	if (self->keep) {
		PyErr_SetString(PyExc_RuntimeError, "already initialised");
		return -1;
	}
	self->gate = new_gate();
	if (!self->gate) {
		PyErr_NoMemory();
		return -1;
	}
	Py_INCREF(keep);
	self->keep = keep;
	self->a = (void *)(uintptr_t)a;
	self->lock = (lock_fn)(uintptr_t)lk;
	self->unlock = (unlock_fn)(uintptr_t)ul;
	self->recursive = recursive;
	return 0;
}

static int KLock_traverse(KLock *self, visitproc visit, void *arg)
{
	Py_VISIT(self->keep);
	Py_VISIT(self->dict);
	return 0;
}

static int KLock_clear(KLock *self)
{
	Py_CLEAR(self->keep);
	Py_CLEAR(self->dict);
	return 0;
}

static void KLock_dealloc(KLock *self)
{
	PyObject_GC_UnTrack(self);
	if (self->weakreflist)
		PyObject_ClearWeakRefs((PyObject *)self);
	/* Nobody waits at the gate (a waiter holds a reference). */
	if (self->gate) {
		if (!self->posted)
			PyThread_release_lock(self->gate);
		PyThread_free_lock(self->gate);
	}
	KLock_clear(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef KLock_methods[] = {
	{ "acquire", (PyCFunction)(void (*)(void))KLock_acquire,
	  METH_FASTCALL | METH_KEYWORDS,
	  "acquire(block=True, timeout=None) -> bool" },
	{ "release", (PyCFunction)KLock_release, METH_NOARGS, "release()" },
	{ "__enter__", (PyCFunction)KLock_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)(void (*)(void))KLock_exit, METH_FASTCALL,
	  NULL },
	{ "_after_fork_reset", (PyCFunction)KLock_after_fork, METH_NOARGS,
	  NULL },
	{ "_is_mine", (PyCFunction)KLock_is_mine, METH_NOARGS, NULL },
	{ "_count", (PyCFunction)KLock_count, METH_NOARGS, NULL },
	{ NULL }
};

static PyMemberDef KLock_members[] = {
	{ "owner_died", T_BOOL, offsetof(KLock, owner_died), 0,
	  "True once an acquire() found the holder dead (EOWNERDEAD)" },
	{ "__dictoffset__", T_PYSSIZET, offsetof(KLock, dict), READONLY },
	{ "__weaklistoffset__", T_PYSSIZET, offsetof(KLock, weakreflist),
	  READONLY },
	{ NULL }
};

static PyType_Slot KLock_slots[] = {
	{ Py_tp_doc, "A process's handle on a segment's kernel lock (C)." },
	{ Py_tp_new, PyType_GenericNew },
	{ Py_tp_init, KLock_init },
	{ Py_tp_dealloc, KLock_dealloc },
	{ Py_tp_traverse, KLock_traverse },
	{ Py_tp_clear, KLock_clear },
	{ Py_tp_methods, KLock_methods },
	{ Py_tp_members, KLock_members },
	{ 0, NULL }
};

static PyType_Spec KLock_spec = {
	.name = "ipcdev._speedups._KernelLock",
	.basicsize = sizeof(KLock),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.slots = KLock_slots,
};

static int speedups_exec(PyObject *m)
{
	PyObject *t = PyType_FromModuleAndSpec(m, &KLock_spec, NULL);

	if (!t)
		return -1;
	if (PyModule_AddObject(m, "_KernelLock", t)) {
		Py_DECREF(t);
		return -1;
	}
	return 0;
}

static PyModuleDef_Slot speedups_slots[] = {
	{ Py_mod_exec, speedups_exec },
	{ 0, NULL }
};

static struct PyModuleDef speedups_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "ipcdev._speedups",
	.m_doc = "C acquire/release for ipcdev.Lock and RLock (optional).",
	.m_size = 0,
	.m_slots = speedups_slots,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
	return PyModuleDef_Init(&speedups_module);
}
