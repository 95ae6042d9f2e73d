// A device's row: status, name, IP, last round's RTT and loss, check, time in
// this status, (for admins) edit and delete; memoized on device and detail.
// Its name links to the device's page.
import { memo, type MouseEvent } from 'react';
import { deviceHref } from '../route';
import { statusGlyph, statusLabel, type DisplayStatus } from '../status';
import { exactTime, formatLoss, formatRtt, relativeTime } from '../time';
import type { Device, StatusDetail } from '../types';

export const DEVICE_ROW_HEIGHT = 60;

interface DeviceProps {
  device: Device;
  detail: StatusDetail | undefined;
  status: DisplayStatus;
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
    a.now === b.now &&
    a.canEdit === b.canEdit &&
    a.onEdit === b.onEdit &&
    a.onDelete === b.onDelete
  );
}

// A click anywhere on the row but its buttons and link opens the device's
// page, as its name (a link, for the keyboard and screen readers) does.
function openFromRow(event: MouseEvent<HTMLDivElement>, id: number) {
  if ((event.target as Element).closest('a, button')) return;
  window.location.hash = deviceHref(id);
}

export const DeviceLine = memo(function DeviceLine({ device, detail, status, now, canEdit, onEdit, onDelete }: DeviceProps) {
  const check = device.check?.type === 'tcp' ? `TCP ${device.check.port}` : 'ping';
  return (
    <div className={`device-row status-${status}`} data-device-ip={device.ip} data-status={status} onClick={(e) => openFromRow(e, device.id)}>
      <span className="status">
        <span className="dot" aria-hidden="true">
          {statusGlyph[status]}
        </span>
        <span className="status-text">{statusLabel[status]}</span>
      </span>
      <a className="name" title={device.name} href={deviceHref(device.id)}>
        {device.name}
      </a>
      <span className="ip">{device.ip}</span>
      <span className="metrics">
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
