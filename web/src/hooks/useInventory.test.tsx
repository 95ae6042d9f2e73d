import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Api } from '../api';
import type { Device, Room } from '../types';
import { useInventory } from './useInventory';

const rooms: Room[] = [{ id: 1, name: 'Lab', description: null }];
const list = (name: string): Device[] => [{ id: 1, name, ip: '192.0.2.1', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }];

describe('useInventory', () => {
  it('gives the lists with their index, built in slices', async () => {
    const api = { rooms: vi.fn().mockResolvedValue(rooms), devices: vi.fn().mockResolvedValue(list('gateway')) } as unknown as Api;
    const { result } = renderHook(() => useInventory(api));
    expect(result.current.index).toBeNull();
    await waitFor(() => expect(result.current.index).not.toBeNull());
    expect(result.current.index?.devices).toBe(result.current.devices);
    expect(result.current.index?.order('name').map((e) => e.device.name)).toEqual(['gateway']);
  });

  it('drops a load that ends after a later one', async () => {
    const answers: ((devices: Device[]) => void)[] = [];
    const api = {
      rooms: vi.fn().mockResolvedValue(rooms),
      devices: vi.fn(() => new Promise<Device[]>((resolve) => answers.push(resolve))),
    } as unknown as Api;
    const { result } = renderHook(() => useInventory(api));
    await waitFor(() => expect(answers).toHaveLength(1)); // the first load
    let second!: Promise<void>;
    act(() => void (second = result.current.reload()));
    await waitFor(() => expect(answers).toHaveLength(2));
    answers[1](list('new'));
    await act(() => second);
    expect(result.current.devices?.[0].name).toBe('new');
    answers[0](list('old'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(result.current.devices?.[0].name).toBe('new');
  });
});
