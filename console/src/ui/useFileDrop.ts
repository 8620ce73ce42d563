/**
 * Files dragged onto the page: while a file is over the window, `useFileDrop` answers true (for
 * an overlay), and a dropped file goes to `onFile`. Drags of anything but files are left alone.
 */
import { useEffect, useRef, useState } from 'react'

export function useFileDrop(onFile: (file: File) => void): boolean {
  const [over, setOver] = useState(false)
  const latest = useRef(onFile)
  latest.current = onFile

  useEffect(() => {
    let depth = 0
    const withFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files')
    const enter = (event: DragEvent) => {
      if (!withFiles(event)) return
      event.preventDefault()
      depth++
      setOver(true)
    }
    const dragOver = (event: DragEvent) => {
      if (!withFiles(event)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    }
    const leave = (event: DragEvent) => {
      if (!withFiles(event)) return
      depth = Math.max(0, depth - 1)
      if (!depth) setOver(false)
    }
    const drop = (event: DragEvent) => {
      if (!withFiles(event)) return
      event.preventDefault()
      depth = 0
      setOver(false)
      const file = event.dataTransfer?.files[0]
      if (file) latest.current(file)
    }
    window.addEventListener('dragenter', enter)
    window.addEventListener('dragover', dragOver)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragenter', enter)
      window.removeEventListener('dragover', dragOver)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
    }
  }, [])

  return over
}
