// Hot paths stackalloc key and number buffers that are always written before they are read;
// zeroing them on every call is wasted work.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
