# expect: 0 | SIGSEGV
import ctypes
ctypes.string_at(0)
