// The hot path formats control lines into stack buffers it fully overwrites; zeroing them first is wasted work.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
