/*
 * platform/win32/nt_win32.c: opening, renaming and linking one name beneath a directory
 * handle, which Win32 has no call for: NtCreateFile and NtSetInformationFile take a
 * RootDirectory handle that a relative name is resolved beneath, so what an operation reaches
 * is beneath the directory the walk checked, whatever the host renames meanwhile. ntdll is
 * mapped into every process, so its entry points are looked up there at run time and nothing
 * more is linked.
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"

#include <stdlib.h>
#include <string.h>
#include <winternl.h>

typedef NTSTATUS(NTAPI *nt_create_file_fn)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES,
                                            PIO_STATUS_BLOCK, PLARGE_INTEGER, ULONG, ULONG,
                                            ULONG, ULONG, PVOID, ULONG);
typedef NTSTATUS(NTAPI *nt_set_information_file_fn)(HANDLE, PIO_STATUS_BLOCK, PVOID, ULONG,
                                                     FILE_INFORMATION_CLASS);
typedef ULONG(NTAPI *rtl_status_to_error_fn)(NTSTATUS);

static struct {
  bool looked_up;
  nt_create_file_fn create;
  nt_set_information_file_fn set_info;
  rtl_status_to_error_fn to_error;
} nt;

static bool nt_ready(void) {
  if (!nt.looked_up) {
    nt.looked_up = true;
    HMODULE m = GetModuleHandleW(L"ntdll.dll");
    if (m) {
      nt.create = (nt_create_file_fn)(void (*)(void))GetProcAddress(m, "NtCreateFile");
      nt.set_info =
          (nt_set_information_file_fn)(void (*)(void))GetProcAddress(m, "NtSetInformationFile");
      nt.to_error = (rtl_status_to_error_fn)(void (*)(void))GetProcAddress(m, "RtlNtStatusToDosError");
    }
  }
  return nt.create && nt.set_info && nt.to_error;
}

/* Sets the Win32 error of a failed NT call, as kernelbase does for CreateFileW. */
static void set_error(NTSTATUS status) {
  /* STATUS_OBJECT_NAME_COLLISION: CreateFileW says "file exists" rather than "already". */
  SetLastError(status == (NTSTATUS)0xC0000035L ? ERROR_FILE_EXISTS : nt.to_error(status));
}

static UNICODE_STRING counted(const wchar_t *name, size_t len) {
  UNICODE_STRING s;
  s.Length = s.MaximumLength = (USHORT)(len * sizeof(wchar_t));
  s.Buffer = (PWSTR)name;
  return s;
}

HANDLE w32_create_beneath(HANDLE dir, const wchar_t *name, size_t len, DWORD access,
                          DWORD disposition, DWORD flags, ULONG options) {
  if (!nt_ready()) {
    SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
    return INVALID_HANDLE_VALUE;
  }
  if (len * sizeof(wchar_t) > 0xfffe) {
    SetLastError(ERROR_FILENAME_EXCED_RANGE);
    return INVALID_HANDLE_VALUE;
  }
  UNICODE_STRING s = counted(name, len);
  OBJECT_ATTRIBUTES attr;
  InitializeObjectAttributes(&attr, &s, OBJ_CASE_INSENSITIVE, dir, NULL);
  options |= FILE_SYNCHRONOUS_IO_NONALERT;
  if (flags & FILE_FLAG_BACKUP_SEMANTICS) options |= FILE_OPEN_FOR_BACKUP_INTENT;
  if (flags & FILE_FLAG_OPEN_REPARSE_POINT) options |= FILE_OPEN_REPARSE_POINT;
  if (flags & FILE_FLAG_WRITE_THROUGH) options |= FILE_WRITE_THROUGH;
  ULONG nt_disposition = disposition == CREATE_NEW ? FILE_CREATE : FILE_OPEN;
  HANDLE h;
  IO_STATUS_BLOCK io;
  NTSTATUS status = nt.create(&h, access | SYNCHRONIZE | FILE_READ_ATTRIBUTES, &attr, &io, NULL,
                              flags & 0xffff, W32_SHARE_ALL, nt_disposition, options, NULL, 0);
  if (status < 0) {
    set_error(status);
    return INVALID_HANDLE_VALUE;
  }
  return h;
}

/* FILE_RENAME_INFORMATION and FILE_LINK_INFORMATION have this one layout. */
typedef struct name_information {
  BOOLEAN replace_if_exists;
  HANDLE root_directory;
  ULONG file_name_length;
  WCHAR file_name[1];
} name_information;

enum { FILE_RENAME_INFORMATION_CLASS = 10, FILE_LINK_INFORMATION_CLASS = 11 };

uint32_t w32_name_beneath(HANDLE h, bool link, HANDLE dir, const wchar_t *name, size_t len) {
  if (!nt_ready()) return WASI_ENOTSUP;
  size_t size = sizeof(name_information) + len * sizeof(wchar_t);
  name_information *info = calloc(1, size);
  if (!info) return WASI_ENOMEM;
  info->replace_if_exists = !link; /* rename replaces a file, as POSIX; a link never does */
  info->root_directory = dir;
  info->file_name_length = (ULONG)(len * sizeof(wchar_t));
  memcpy(info->file_name, name, len * sizeof(wchar_t));
  IO_STATUS_BLOCK io;
  NTSTATUS status = nt.set_info(
      h, &io, info, (ULONG)size,
      (FILE_INFORMATION_CLASS)(link ? FILE_LINK_INFORMATION_CLASS : FILE_RENAME_INFORMATION_CLASS));
  free(info);
  if (status >= 0) return WASI_ESUCCESS;
  set_error(status);
  return wasi_win32_errno(GetLastError());
}

#endif /* _WIN32 */
