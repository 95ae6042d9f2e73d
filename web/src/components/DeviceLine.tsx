// A device's row: status, name, IP, last round's RTT and loss, check, time in
// this status, (for admins) edit and delete; memoized on device and detail.
// Its name links to the device's page. A device disconnected behind a
// disconnected ancestor reads "Unreachable via <ancestor>", in grey, not as
// a failure of its own (spec: "Dependencies").
import { memo, type MouseEvent } from 'react';
import { deviceHref } from '../route';
import { statusGlyph, statusLabel, unreachableGlyph, type DisplayStatus } from '../status';
import { exactTime, formatLoss, formatRtt, relativeTime } from '../time';
import type { Device, StatusDetail } from '../types';

export const DEVICE_ROW_HEIGHT = 60;

interface DeviceProps {
  device: Device;
  detail: StatusDetail | undefined;
  status: DisplayStatus;
  // The name of the ancestor it is unreachable behind (detail.unreachable_via), if any.
  via: string | null;
  now: number;
  canEdit: boolean;
  onEdit: (device: Device) => void;
  onDelete: (device: Device) => void;
}

function sameDeviceRow(a: DeviceProps, b: DeviceProps): boolean {
  return (
    a.device === b.device &&
    a.detail === b.detail &&
    a.status === b.status &&
    a.via === b.via &&
    a.now === b.now &&
    a.canEdit === b.canEdit &&
    a.onEdit === b.onEdit &&
    a.onDelete === b.onDelete
  );
}

// A click anywhere on the row but its buttons and link opens the device's
// page, as its name (a link, for the keyboard and screen readers) does; a
// drag that selected text (say, to copy the IP) is not a click.
function openFromRow(event: MouseEvent<HTMLDivElement>, id: number) {
  if ((event.target as Element).closest('a, button')) return;
  if (window.getSelection()?.toString()) return;
  window.location.hash = deviceHref(id);
}

export const DeviceLine = memo(function DeviceLine({ device, detail, status, via, now, canEdit, onEdit, onDelete }: DeviceProps) {
  const check = device.check?.type === 'tcp' ? `TCP ${device.check.port}` : 'ping';
  const unreachable = status === 'disconnected' && via !== null;
  const text = unreachable ? `Unreachable via ${via}` : statusLabel[status];
  return (
    <div
      className={`device-row status-${status}${unreachable ? ' unreachable' : ''}`}
      data-device-ip={device.ip}
      data-status={status}
      data-unreachable-via={unreachable ? via : undefined}
      onClick={(e) => openFromRow(e, device.id)}
    >
      <span className="status">
        <span className="dot" aria-hidden="true">
          {unreachable ? unreachableGlyph : statusGlyph[status]}
        </span>
        <span className="status-text" title={unreachable ? text : undefined}>
          {text}
        </span>
      </span>
      <a className="name" title={device.name} href={deviceHref(device.id)}>
        {device.name}
      </a>
      <span className="ip">{device.ip}</span>
      <span className="metrics">
        {unreachable && (
          <span className="via" aria-hidden="true">
            via {via}
          </span>
        )}
        <span className="rtt" title="Median round-trip time of the last round">
          {formatRtt(detail?.rtt_ms)}
        </span>
        <span className="loss" title="Probes lost in the last round">
          {formatLoss(detail?.loss)} loss
        </span>
        <span className="check">{check}</span>
      </span>
      <span className="since" title={exactTime(detail?.since ?? null)}>
        {status === 'unmonitored' ? '' : relativeTime(detail?.since ?? null, now)}
      </span>
      {canEdit && (
        <span className="row-actions">
          <button type="button" onClick={() => onEdit(device)} aria-label={`Edit ${device.name}`}>
            Edit
          </button>
          <button type="button" className="danger-text" onClick={() => onDelete(device)} aria-label={`Delete ${device.name}`}>
            Delete
          </button>
        </span>
      )}
    </div>
  );
}, sameDeviceRow);
