#include <oneapi/dnnl/dnnl.h>
// mallopt: AdvTensor keeps freed tensor buffers in the heap (see TensorStorage).
#include <malloc.h>
